"""Progress of an estate audit on a terminal: targets done, instances and clients so far.

``hbr-clients: targets 4/6 listed, 1,204 instances, 1,187 clients`` is rewritten in place
(``\\r``) as each target completes, then ended with a line break. Shown only to a person:
when the stream is a terminal and ``CI`` is not set (a CI log would keep every rewrite).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from hbr_clients_provider.audit.coverage import TargetListing

__all__ = ["TargetProgress", "progress_for"]


class TargetProgress:
    """Counts listings as :func:`~hbr_clients_provider.audit.estate.audit_estate` reports them."""

    def __init__(self, stream: TextIO, *, total: int | None) -> None:
        """``total`` targets, or ``None`` when not known before the audit (``--regions all``)."""
        self._stream = stream
        self._total = total
        self.done = 0
        self.instances = 0
        self.clients = 0

    def __call__(self, listing: TargetListing) -> None:
        """Count one target's listing and redraw the line."""
        self.done += 1
        self.instances += len(listing.instances)
        self.clients += len(listing.clients)
        total = "?" if self._total is None else f"{max(self._total, self.done):,}"
        self._stream.write(
            f"\rhbr-clients: targets {self.done:,}/{total} listed, "
            f"{self.instances:,} instances, {self.clients:,} clients"
        )
        self._stream.flush()

    def finish(self) -> None:
        """End the line, if anything was drawn."""
        if self.done:
            self._stream.write("\n")
            self._stream.flush()


def progress_for(
    stream: TextIO, environ: Mapping[str, str], *, total: int | None
) -> TargetProgress | None:
    """A :class:`TargetProgress` on ``stream``, or ``None`` off a terminal or in CI."""
    if environ.get("CI") or not stream.isatty():
        return None
    return TargetProgress(stream, total=total)
