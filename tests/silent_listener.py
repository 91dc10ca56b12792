"""A loopback listener that accepts connections and never answers: a TTS that hangs, or a
host that must receive nothing (it records every byte that arrives)."""

import contextlib
import socket
import threading
from types import TracebackType


class SilentListener:
    """Listens on 127.0.0.1 (or ``host``); counts connections and keeps what they send."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._listener = socket.create_server((host, 0))
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://{host}:{self.port}"
        self._sockets: list[socket.socket] = []
        self._received = bytearray()
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._sockets)

    @property
    def received(self) -> bytes:
        with self._lock:
            return bytes(self._received)

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closed:
                    sock.close()
                    return
                self._sockets.append(sock)
            threading.Thread(target=self._read, args=(sock,), daemon=True).start()

    def _read(self, sock: socket.socket) -> None:
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self._received += data

    def close(self) -> None:
        """Stop listening and cut every connection (a waiting client then fails at once)."""
        with self._lock:
            self._closed = True
            sockets, self._sockets = self._sockets, []
        for sock in [*sockets, self._listener]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> "SilentListener":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
