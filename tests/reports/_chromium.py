"""A real headless Chromium, driven over the DevTools protocol, for the HTML report's tests.

One browser per :class:`Chromium` (``--headless=new``, a throwaway profile, the DevTools
port chosen by the browser and read from ``DevToolsActivePort``); :meth:`Chromium.load`
opens a page, waits for its load event and for the report's script to mark
``data-ready``, and records what a person's browser would show as broken: uncaught
exceptions, ``console.error``/``console.assert`` calls, log entries of level ``error``
(CSP violations, failed loads), JavaScript dialogs (``alert``), and every request that is
not to a ``file:`` or ``data:`` URL (the report must need no network).

When no Chromium is installed the tests fail, naming the Debian package, rather than skip:
a report that was never opened in a browser is not tested.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import websocket

#: The Debian package that provides the browser.
PACKAGE = "chromium"
_BINARIES = ("chromium", "chromium-browser", "google-chrome")
#: What a page gets to load and run its script.
LOAD_TIMEOUT_S = 30.0
#: The window the screenshots are taken in.
WINDOW = (1280, 2000)


def chromium_binary() -> str:
    """The browser to run (``CHROMIUM`` or the first on PATH); fails the test when none is."""
    given = os.environ.get("CHROMIUM")
    found = given or next((p for p in map(shutil.which, _BINARIES) if p), None)
    if not found:
        pytest.fail(
            "headless Chromium is needed to test the HTML report and none is installed: "
            f"apt-get install {PACKAGE} (Debian package '{PACKAGE}'), or set CHROMIUM to a "
            "Chromium or Chrome binary",
            pytrace=False,
        )
    return found


def chromium_version(binary: str) -> str:
    """``Chromium 156.0...`` as the browser reports it."""
    proc = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return proc.stdout.strip()


class Page:
    """One tab: its session, the problems seen, and helpers to query and capture it."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self._browser = browser
        self._session = session
        self.problems: list[str] = []
        """Exceptions, console errors, error log entries and dialogs, as text."""
        self.requests: list[str] = []
        """Every URL the page asked for."""

    def note(self, event: dict[str, Any]) -> None:
        """Record what an event says went wrong."""
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self.problems.append(f"uncaught exception: {text}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in {"error", "assert"}:
            args = " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            self.problems.append(f"console.{params['type']}: {args}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.problems.append(f"log {entry['source']}: {entry['text']}")
        elif method == "Page.javascriptDialogOpening":
            self.problems.append(f"dialog {params['type']}: {params['message']}")
            self.send("Page.handleJavaScriptDialog", accept=False)
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run a DevTools command in this tab and return its result."""
        return self._browser.call(method, params, session=self._session)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` evaluated in the page."""
        answer = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            msg = f"evaluating {expression!r} failed: {answer['exceptionDetails']}"
            raise AssertionError(msg)
        return answer["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """Save the window (:data:`WINDOW`) as a PNG at ``path``."""
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path


class Chromium:
    """A headless Chromium and one DevTools connection to it (a context manager)."""

    def __init__(self) -> None:
        self.binary = chromium_binary()
        self.version = chromium_version(self.binary)
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []
        self._pages: dict[str, Page] = {}

    def __enter__(self) -> Chromium:
        self._profile = tempfile.TemporaryDirectory(
            prefix="hbr-chromium-", ignore_cleanup_errors=True
        )
        self._process = subprocess.Popen(
            [
                self.binary,
                "--headless=new",
                "--disable-gpu",
                "--no-sandbox",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "--remote-debugging-port=0",
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        active = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        while not (active.exists() and len(active.read_text().split()) >= 2):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                pytest.fail(f"{self.binary} did not start its DevTools endpoint", pytrace=False)
            time.sleep(0.05)
        port, path = active.read_text().split()[:2]
        self._socket = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=LOAD_TIMEOUT_S, suppress_origin=True
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        socket = getattr(self, "_socket", None)
        if socket is not None:
            # Browser.close ends the browser and its helper processes, which still write to
            # the profile for a moment after a plain SIGTERM to the main one.
            with contextlib.suppress(Exception):
                socket.send(json.dumps({"id": next(self._ids), "method": "Browser.close"}))
            socket.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._profile.cleanup()

    def _receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self._socket.recv())
        if "method" in message:
            page = self._pages.get(message.get("sessionId", ""))
            if page is not None:
                page.note(message)
            self._events.append(message)
        return message

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its answer (recording events meanwhile)."""
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            answer = self._receive()
            if answer.get("id") == ident:
                if "error" in answer:
                    msg = f"{method} failed: {answer['error']}"
                    raise AssertionError(msg)
                result: dict[str, Any] = answer.get("result", {})
                return result

    def _wait_for(self, method: str, session: str) -> None:
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        seen = len(self._events)
        while True:
            for event in self._events[seen:]:
                if event["method"] == method and event.get("sessionId") == session:
                    return
            seen = len(self._events)
            if time.monotonic() > deadline:
                msg = f"no {method} within {LOAD_TIMEOUT_S:g} s"
                raise AssertionError(msg)
            self._receive()

    def load(self, path: Path, *, ready: bool = True) -> Page:
        """Open ``path`` in a new tab; return it once loaded (and its script marked ready)."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        self._pages[session] = page
        for domain in ("Runtime", "Log", "Page", "Network"):
            page.send(f"{domain}.enable")
        width, height = WINDOW
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self._events.clear()
        page.send("Page.navigate", url=path.resolve().as_uri())
        self._wait_for("Page.loadEventFired", session)
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        while (
            ready and page.evaluate("document.documentElement.getAttribute('data-ready')") != "true"
        ):
            if time.monotonic() > deadline:
                msg = f"the report's script never ran; problems: {page.problems}"
                raise AssertionError(msg)
            time.sleep(0.05)
        return page
