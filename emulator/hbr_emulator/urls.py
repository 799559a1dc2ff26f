"""The route table: which handler answers which method and path."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hbr_emulator import admin, api
from hbr_emulator.cloud import Cloud
from hbr_emulator.messages import Reply, Request

Handler = Callable[..., Reply]

ADMIN_PREFIX = "/_emulator/"
"""Paths under this prefix are the control API."""

API_ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/"): api.api,
    ("GET", "/"): api.api,
}
"""The RPC API of every service: every action is ``/``; the ``Host`` and action pick the service."""

ADMIN_ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = (
    ("GET", re.compile(r"^/_emulator/summary$"), admin.summary),
    ("GET", re.compile(r"^/_emulator/estate$"), admin.estate),
    ("GET", re.compile(r"^/_emulator/organisation$"), admin.organisation),
    ("GET", re.compile(r"^/_emulator/clients$"), admin.list_clients),
    ("POST", re.compile(r"^/_emulator/clients$"), admin.add_client),
    ("PATCH", re.compile(r"^/_emulator/clients/(?P<client_id>[^/]+)$"), admin.update_client),
    ("DELETE", re.compile(r"^/_emulator/clients/(?P<client_id>[^/]+)$"), admin.remove_client),
    ("GET", re.compile(r"^/_emulator/faults$"), admin.get_faults),
    ("PUT", re.compile(r"^/_emulator/faults$"), admin.put_faults),
    ("GET", re.compile(r"^/_emulator/requests$"), admin.requests),
    ("POST", re.compile(r"^/_emulator/reset$"), admin.reset),
)
"""The control API (loopback only)."""


def dispatch(cloud: Cloud, request: Request) -> Reply:
    """Route ``request`` to its handler and return the handler's reply."""
    handler = API_ROUTES.get((request.method, request.path))
    if handler is not None:
        return handler(cloud, request)
    if request.path.startswith(ADMIN_PREFIX):
        if not admin.is_loopback(request.client_host):
            return admin.forbidden(cloud, request)
        for method, pattern, admin_handler in ADMIN_ROUTES:
            match = pattern.match(request.path)
            if match and method == request.method:
                kwargs: dict[str, Any] = match.groupdict()
                return admin_handler(cloud, request, **kwargs)
    return api.not_found(cloud, request)
