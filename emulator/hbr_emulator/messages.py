"""What the HTTP layer hands to a route handler, and what the handler hands back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

JSON = "application/json;charset=utf-8"


@attrs.frozen(kw_only=True)
class Request:
    """One HTTP request, already read off the socket; header names are lowercase."""

    method: str
    path: str
    query: Sequence[tuple[str, str]]
    headers: Mapping[str, Sequence[str]]
    body: bytes
    client_host: str

    def form(self) -> list[tuple[str, str]]:
        """Return the urlencoded form body as pairs (empty for other content types)."""
        from urllib.parse import parse_qsl  # noqa: PLC0415  # kept local: only API calls need it

        content_type = (self.headers.get("content-type") or [""])[0]
        if not self.body or not content_type.startswith("application/x-www-form-urlencoded"):
            return []
        return parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@attrs.frozen(kw_only=True)
class Reply:
    """What to send back: a status, headers and a body, after ``delay_s``; or a reset."""

    status: int = 200
    body: bytes = b""
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()
    delay_s: float = 0.0
    reset: bool = False
