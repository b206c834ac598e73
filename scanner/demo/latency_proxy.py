"""A loopback reverse proxy that adds a fixed latency to every response (real AWS round trips take
50-150 ms; moto answers in about one). It forwards each request unchanged (the Host header too, so
SigV4 signatures still verify) to one upstream server, and counts the requests it served.

    with latency_proxy("http://127.0.0.1:5000", delay_seconds=0.05) as proxy:
        ...  # point endpoint_url at proxy.url; record=True keeps each request body in proxy.bodies
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclass
class LatencyProxy:
    url: str
    delay_seconds: float
    bodies: list[bytes] = field(default_factory=list)  # request bodies, when asked to record them
    _requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # time.monotonic() of the first request's arrival and of the last answer sent since mark()
    first_arrival: float | None = None
    last_answer: float | None = None

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    def mark(self) -> None:
        """Forget first_arrival and last_answer: the next request starts a new measurement."""
        with self._lock:
            self.first_arrival = self.last_answer = None

    def counted(self, body: bytes | None, record: bool, arrived: float | None = None) -> None:
        with self._lock:
            self._requests += 1
            if arrived is not None and (self.first_arrival is None or arrived < self.first_arrival):
                self.first_arrival = arrived
            if record and body:
                self.bodies.append(body)

    def answered(self) -> None:
        with self._lock:
            self.last_answer = time.monotonic()


@contextmanager
def latency_proxy(upstream: str, delay_seconds: float, record: bool = False) -> Iterator[LatencyProxy]:
    target = urlsplit(upstream)
    if target.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the latency proxy forwards to loopback addresses only")
    upstream_host, upstream_port = target.hostname, target.port or 80
    state = LatencyProxy(url="", delay_seconds=delay_seconds)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive towards the client, as AWS endpoints do

        def setup(self) -> None:
            super().setup()
            # Each answer is written in pieces: without this, Nagle's algorithm holds them ~40 ms.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _forward(self) -> None:
            started = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream_conn = http.client.HTTPConnection(upstream_host, upstream_port, timeout=120)
            try:
                upstream_conn.request(self.command, self.path, body=body, headers=headers)
                response = upstream_conn.getresponse()
                payload = response.read()
                status, reason, answer_headers = response.status, response.reason, response.getheaders()
            finally:
                upstream_conn.close()
            state.counted(body, record, started)
            remaining = delay_seconds - (time.monotonic() - started)
            if remaining > 0:
                time.sleep(remaining)
            self.send_response_only(status, reason)
            for key, value in answer_headers:
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            self.wfile.flush()
            state.answered()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward

        def log_message(self, *args: object) -> None:  # quiet
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="latency-proxy", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
