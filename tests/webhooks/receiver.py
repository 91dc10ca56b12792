"""A real webhook receiver on loopback: records each POST and answers the statuses it is given."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """``statuses`` are answered in turn (the last one from then on); ``location`` is sent with
    a 3xx."""

    statuses: list[int] = field(default_factory=lambda: [200])
    location: str = ""
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> "Receiver":
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                owner.received.append(Received(self.path, dict(self.headers.items()), body))
                status = owner.statuses[min(len(owner.received), len(owner.statuses)) - 1]
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", owner.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()

    def types(self) -> list[str]:
        return [json.loads(item.body)["type"] for item in self.received]
