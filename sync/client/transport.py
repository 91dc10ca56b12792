"""The client's only ways out: TCP to checked addresses (sync.reach), redirects never followed."""

import socket
import ssl
from collections.abc import Iterable

import certifi
import httpcore
import httpx
from httpcore._backends.sync import SyncStream

from sync.reach import TargetUnreachable, connect_checked

SocketOption = tuple[int, int, int | bytes] | tuple[int, int, None, int]


class _CheckedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting through ``sync.reach.connect_checked``."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            sock = connect_checked(host, port, timeout)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return SyncStream(sock)


class CheckedTransport(httpx.HTTPTransport):
    """httpx's transport whose every connection is checked; no proxy from the environment."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()),
            network_backend=_CheckedBackend(),
        )


def http_client(*, base_url: str, timeout: float, headers: dict[str, str]) -> httpx.Client:
    """An HTTP client for one SLNG target: checked connections, no redirect ever followed (the
    key would go along), no proxy or .netrc from the environment."""
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout),
        headers=headers,
        transport=CheckedTransport(),
        follow_redirects=False,
        trust_env=False,
    )


def ws_socket(url: str, timeout: float) -> socket.socket:
    """The TCP socket a WebSocket to ``url`` is opened on (websockets does TLS on it)."""
    parts = httpx.URL(url)
    port = parts.port or (443 if parts.scheme == "wss" else 80)
    return connect_checked(parts.host, port, timeout)


def refused_host(exc: BaseException) -> TargetUnreachable | None:
    """The TargetUnreachable behind an error, if one is in its chain."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TargetUnreachable):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
