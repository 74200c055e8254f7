"""Small real servers for tests: the API under uvicorn in a thread, and webhook receivers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import uvicorn
from newsmon.local.processes import free_port, port_open


@contextmanager
def serve_app(app: object) -> Iterator[str]:
    """Run an ASGI app on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Receiver:
    url: str
    received: list[tuple[dict, bytes]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # time.monotonic() at each arrival
    arrived_at: list[float] = field(default_factory=list)  # time.time(), what verify() checks


@contextmanager
def webhook_receiver(status: int = 200, hang_s: float = 0.0) -> Iterator[Receiver]:
    """A plain HTTP server that records webhook requests and answers ``status``."""
    port = free_port()
    receiver = Receiver(url=f"http://127.0.0.1:{port}/hook")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            receiver.times.append(time.monotonic())
            receiver.arrived_at.append(time.time())
            if hang_s:
                time.sleep(hang_s)
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"ok": status < 300}).encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (the hanging receiver case)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
