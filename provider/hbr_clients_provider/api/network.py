"""The network as the user has it: which proxy a request takes and which CAs it trusts.

:func:`resolve_network` decides once, per endpoint, from an environment mapping:

* **Proxy** — exactly as ``requests`` decides it: ``<scheme>_proxy`` variables (lower case
  wins over upper case; ``HTTP_PROXY`` is ignored when ``REQUEST_METHOD`` is set, as in a
  CGI script), ``ALL_PROXY`` as the fallback, and ``NO_PROXY`` (host names, domain
  suffixes, IP addresses, CIDR blocks, ``*``) bypassing them. The matching itself is
  ``requests.utils``' own (:func:`~requests.utils.should_bypass_proxies` and
  :func:`~requests.utils.select_proxy`), so the two cannot disagree.
* **Trusted CAs** — the first of: the explicit bundle (``--ca-bundle``, ``ca_bundle``,
  ``hbr:caBundle``), ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE`` (the two ``requests``
  reads), ``SSL_CERT_FILE``, ``SSL_CERT_DIR`` (the two OpenSSL reads), else the ``certifi``
  bundle. The bundle *replaces* the default trust store, as it does for ``requests``. A
  bundle that does not exist or holds no certificate is refused before anything is sent.
  Verification is never turned off.

Why here and not in the dependency: ``darabonba`` (under ``tea-openapi``) reads only
``HTTP_PROXY``/``HTTPS_PROXY`` itself, never ``NO_PROXY`` or ``ALL_PROXY``, and hands
``requests`` a proxy map that skips ``requests``' environment handling, so signed requests
went through a proxy ``NO_PROXY`` excluded, and ``REQUESTS_CA_BUNDLE`` was ignored. The
resolved :class:`NetworkSettings` are applied to every request by
:mod:`hbr_clients_provider.api.exchange`.

A proxy URL may carry a user name and password: it is kept out of ``repr`` and every
message shows it through :meth:`NetworkSettings.proxy_display` (``http://proxy:3128``).
"""

from __future__ import annotations

import importlib.util
import os
import ssl
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import attrs

from hbr_clients_provider.errors import InvalidQuery, Violation

__all__ = ["CA_SOURCES", "NetworkSettings", "redact_url", "resolve_network"]

#: Where a CA bundle may come from, in order of precedence (after the explicit option).
CA_SOURCES: tuple[str, ...] = (
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)

_PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")


def redact_url(url: str) -> str:
    """``scheme://user:secret@host:port/`` -> ``scheme://host:port`` (for messages)."""
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparsable proxy URL>"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}"


@attrs.frozen(kw_only=True)
class NetworkSettings:
    """The proxy and the trusted CAs of one endpoint, resolved from the environment.

    ``proxy`` is the proxy URL (``None``: direct) and ``proxy_source`` the variable it came
    from; ``verify`` the CA bundle file or directory every certificate is checked against
    and ``ca_source`` where that came from (``ca_bundle``, ``REQUESTS_CA_BUNDLE``, ...,
    ``certifi``).
    """

    proxy: str | None = attrs.field(default=None, repr=False)
    proxy_source: str | None = None
    verify: str = attrs.field(factory=lambda: _certifi())  # noqa: PLW0108 - defined below
    ca_source: str = "certifi"

    @property
    def proxies(self) -> dict[str, str]:
        """The ``proxies`` map for ``requests``: the chosen proxy for both schemes, or none."""
        return {"http": self.proxy, "https": self.proxy} if self.proxy else {}

    def proxy_display(self) -> str | None:
        """The proxy without its credentials, for messages; ``None`` when direct."""
        return redact_url(self.proxy) if self.proxy else None

    def describe(self) -> str:
        """One line for messages: the route and the trust store."""
        route = (
            f"via proxy {self.proxy_display()} ({self.proxy_source})" if self.proxy else "direct"
        )
        return f"{route}; trusting the CAs of {self.ca_source} ({self.verify})"


def _certifi() -> str:
    import certifi  # noqa: PLC0415 - the bundle requests trusts by default

    return str(certifi.where())


def _environ_proxies(environ: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """``urllib.request.getproxies_environment`` over ``environ``: scheme -> (URL, variable).

    The same two passes as urllib: any spelling first, then lower case only, so
    ``https_proxy`` wins over ``HTTPS_PROXY`` and an empty lower-case one removes it.
    """
    proxies: dict[str, tuple[str, str]] = {}
    for name, value in environ.items():
        if value and name.lower()[-6:] == "_proxy":
            proxies[name.lower()[:-6]] = (value, name)
    if "REQUEST_METHOD" in environ:  # a CGI script: HTTP_PROXY may come from a request header
        proxies.pop("http", None)
    for name, value in environ.items():
        if name[-6:] == "_proxy":
            if value:
                proxies[name.lower()[:-6]] = (value, name)
            else:
                proxies.pop(name.lower()[:-6], None)
    return proxies


def _choose_proxy(url: str, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    from requests.utils import select_proxy, should_bypass_proxies  # noqa: PLC0415

    found = _environ_proxies(environ)
    no_proxy = found.pop("no", ("", ""))[0]
    # Given None, requests reads NO_PROXY from os.environ itself; given a value, it also
    # sets os.environ["no_proxy"] during the call. Pass ours only when it differs.
    os_no_proxy = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    if should_bypass_proxies(url, no_proxy=None if no_proxy == os_no_proxy else no_proxy):
        return None, None
    proxy = select_proxy(url, {scheme: value for scheme, (value, _) in found.items()})
    if not proxy:
        return None, None
    source = next(name for value, name in found.values() if value == proxy)
    return proxy, source


def _check_proxy(proxy: str, source: str) -> Violation | None:
    shown = redact_url(proxy)
    candidate = proxy if "://" in proxy else f"http://{proxy}"
    try:
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return Violation(
            field=source, rule="must be a proxy URL such as http://proxy:3128", value=shown
        )
    if parts.scheme not in _PROXY_SCHEMES or not parts.hostname:
        return Violation(
            field=source,
            rule="must be a proxy URL such as http://proxy:3128 (schemes: "
            f"{', '.join(_PROXY_SCHEMES)})",
            value=shown,
        )
    if parts.scheme.startswith("socks") and importlib.util.find_spec("socks") is None:
        return Violation(
            field=source,
            rule="a SOCKS proxy needs the PySocks package (pip install 'requests[socks]')",
            value=shown,
        )
    return None


def _check_bundle(path: str, source: str) -> Violation | None:
    if Path(path).is_dir():
        return None
    if not Path(path).is_file():
        return Violation(
            field=source,
            rule="must be the path of a PEM file (or directory) of CA certificates; "
            "nothing is there",
            value=path,
        )
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc.__class__.__name__
        return Violation(
            field=source,
            rule=f"must hold PEM CA certificates; it could not be loaded ({reason})",
            value=path,
        )
    return None


def resolve_network(
    url: str,
    *,
    ca_bundle: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> NetworkSettings:
    """Decide the proxy and the trusted CAs for requests to ``url`` (module docstring).

    :raises InvalidQuery: a proxy URL or a CA bundle that cannot work, naming the variable
        (or ``ca_bundle``), the value and the rule; nothing has been sent.
    """
    env = os.environ if environ is None else environ
    violations: list[Violation] = []
    proxy, proxy_source = _choose_proxy(url, env)
    if proxy is not None and proxy_source is not None:
        problem = _check_proxy(proxy, proxy_source)
        if problem is not None:
            violations.append(problem)
    verify, ca_source = _certifi(), "certifi"
    candidates = [("ca_bundle", ca_bundle)] + [(name, env.get(name)) for name in CA_SOURCES]
    for source, path in candidates:
        if path:
            verify, ca_source = path, source
            problem = _check_bundle(path, source) if url.startswith("https:") else None
            if problem is not None:
                violations.append(problem)
            break
    if violations:
        raise InvalidQuery(tuple(violations))
    return NetworkSettings(
        proxy=proxy, proxy_source=proxy_source, verify=verify, ca_source=ca_source
    )
