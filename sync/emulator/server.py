"""Build and run the SLNG emulator: one aiohttp port for the HTTP API and the TTS WebSocket.

``start_emulator`` runs it on the caller's event loop; ``EmulatorThread`` runs it on its own
loop in a daemon thread, for synchronous (Django) tests.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
from types import TracebackType

from aiohttp import web

from sync.emulator import admin, http_api, http_tts, tts
from sync.emulator.http_api import STATE
from sync.emulator.state import EmulatorState

logger = logging.getLogger("sync.emulator")
SHUTDOWN_TIMEOUT = 2.0  # seconds aiohttp waits for handlers when stopping


def is_loopback(host: str) -> bool:
    """True when ``host`` (an address or a name) resolves only to loopback addresses."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def build_app(state: EmulatorState, *, admin_enabled: bool) -> web.Application:
    """The aiohttp application. Admin routes exist only when ``admin_enabled``."""
    app = web.Application(middlewares=[http_api.request_middleware])
    app[STATE] = state
    http_api.add_routes(app)
    tts.add_routes(app)
    http_tts.add_routes(app)
    if admin_enabled:
        admin.add_routes(app)
    return app


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class RunningEmulator:
    """A started emulator: its URLs, its state, and ``await close()``."""

    def __init__(self, state: EmulatorState, runner: web.AppRunner, host: str, port: int) -> None:
        self.state, self.host, self.port = state, host, port
        self._runner = runner

    @property
    def url(self) -> str:
        """HTTP base URL, e.g. ``http://127.0.0.1:8765`` (no trailing slash)."""
        return f"http://{_url_host(self.host)}:{self.port}"

    base_url = url

    @property
    def ws_url(self) -> str:
        """WebSocket base URL, e.g. ``ws://127.0.0.1:8765``."""
        return f"ws://{_url_host(self.host)}:{self.port}"

    async def close(self) -> None:
        await self._runner.cleanup()


async def start_emulator(
    state: EmulatorState, host: str = "127.0.0.1", port: int = 0, *, admin: bool | None = None
) -> RunningEmulator:
    """Bind and start serving on the running loop; ``port=0`` picks a free port.

    ``admin=None`` enables the ``/_emulator`` endpoints only when ``host`` is loopback.
    """
    admin_enabled = is_loopback(host) if admin is None else admin
    # access_log=None: aiohttp's access log prints the query string, which may hold ?token=<key>.
    runner = web.AppRunner(
        build_app(state, admin_enabled=admin_enabled),
        access_log=None,
        shutdown_timeout=SHUTDOWN_TIMEOUT,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    logger.info("SLNG emulator on %s:%s (admin %s)", host, bound_port, admin_enabled)
    return RunningEmulator(state, runner, host, bound_port)


class EmulatorThread:
    """Run the emulator on its own event loop in a daemon thread (for synchronous tests).

    ``start()`` returns once the port is bound; ``stop()`` closes it and joins the thread.
    """

    def __init__(
        self,
        state: EmulatorState | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        admin: bool | None = None,
    ) -> None:
        self.state = state if state is not None else EmulatorState()
        self._options = (host, port, admin)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: RunningEmulator | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> EmulatorThread:
        self._thread = threading.Thread(target=self._run, name="slng-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the SLNG emulator did not bind in time")
        if self._error is not None:
            raise RuntimeError("the SLNG emulator failed to start") from self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        host, port, admin_option = self._options
        try:
            self._running = loop.run_until_complete(
                start_emulator(self.state, host, port, admin=admin_option)
            )
        except BaseException as exc:  # reported to start() in the caller's thread
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._running.close())
        loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Close the server and wait for the thread; safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    @property
    def running(self) -> RunningEmulator:
        if self._running is None:
            raise RuntimeError("the emulator is not started")
        return self._running

    @property
    def base_url(self) -> str:
        return self.running.url

    url = base_url

    @property
    def ws_url(self) -> str:
        return self.running.ws_url

    @property
    def port(self) -> int:
        return self.running.port

    def __enter__(self) -> EmulatorThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
