"""The API route, thin: authenticate, apply faults, parse, ask the backend, render."""

from __future__ import annotations

import uuid

from hbr_emulator.auth import authenticate
from hbr_emulator.defaults import ACTION, API_VERSION, REGIONS_ACTION
from hbr_emulator.exceptions import (
    HbrApiError,
    InvalidActionNotFound,
    InvalidVersion,
    render_error,
)
from hbr_emulator.messages import Reply, Request
from hbr_emulator.models import HbrBackend
from hbr_emulator.params import parse_list_query
from hbr_emulator.wire import render_page, render_regions


def new_request_id() -> str:
    """Return a request id shaped like the service's (an uppercase UUID)."""
    return str(uuid.uuid4()).upper()


def api(backend: HbrBackend, request: Request) -> Reply:
    """Answer one RPC API call (``POST /`` or an RPC-signed ``GET /``)."""
    request_id = new_request_id()
    params = dict(request.query)
    params.update(request.form())
    action = (request.headers.get("x-acs-action") or [params.get("Action", "")])[0]
    delay = 0.0
    try:
        identity = authenticate(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=request.body,
            params=params,
            credentials=backend.credentials,
            nonces=backend.nonces,
        )
        action = identity.action
        if identity.action not in (ACTION, REGIONS_ACTION):
            msg = f"Specified api {identity.action!r} is not found."
            raise InvalidActionNotFound(msg)
        if identity.version != API_VERSION:
            msg = f"Specified parameter Version {identity.version!r} is not valid."
            raise InvalidVersion(msg)
        decision = backend.injector.decide(identity.access_key_id)
        delay = decision.delay_s
        if decision.reset:
            backend.log_request(action=action, params=params, status=0, code="ConnectionReset")
            return Reply(reset=True, delay_s=delay)
        if decision.error is not None:
            return _error(
                backend,
                decision.error,
                request_id=request_id,
                action=action,
                params=params,
                delay=delay,
                retry_after_ms=decision.retry_after_ms,
            )
        if action == REGIONS_ACTION:
            backend.log_request(action=action, params=params, status=200, code="200")
            body = render_regions(request_id=request_id, regions=backend.regions)
            return Reply(body=body, delay_s=delay)
        query = parse_list_query(params)
        page = backend.list_page(query)
    except HbrApiError as error:
        return _error(
            backend, error, request_id=request_id, action=action, params=params, delay=delay
        )
    body = render_page(
        request_id=request_id,
        page_number=query.page_number,
        page_size=query.page_size,
        total=page.total,
        fragments=page.fragments,
    )
    backend.log_request(action=action, params=params, status=200, code="200")
    return Reply(body=body, delay_s=delay)


def _error(
    backend: HbrBackend,
    error: HbrApiError,
    *,
    request_id: str,
    action: str,
    params: dict[str, str],
    delay: float,
    retry_after_ms: int | None = None,
) -> Reply:
    backend.log_request(action=action, params=params, status=error.status, code=error.code)
    headers = (("x-acs-retry-after", str(retry_after_ms)),) if retry_after_ms else ()
    return Reply(
        status=error.status,
        body=render_error(error, request_id),
        headers=headers,
        delay_s=delay,
    )


def not_found(_backend: HbrBackend, request: Request) -> Reply:
    """Answer a path or method the emulator does not serve."""
    error = InvalidActionNotFound(f"No route for {request.method} {request.path}.")
    return Reply(status=404, body=render_error(error, new_request_id()))
