"""A loopback HTTP proxy in front of moto that holds chosen requests for a while: a slow endpoint, to
interrupt a real scan in the middle of its API calls. It records when each request arrived."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class SlowProxy:
    def __init__(self, upstream: str, delay: float, slow: Callable[[str, bytes], bool]) -> None:
        self.upstream = urlsplit(upstream)
        self.delay = delay
        self.slow = slow
        self.arrivals: list[tuple[float, str]] = []  # (time.monotonic(), what)
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def held(self) -> int:
        with self.lock:
            return sum(1 for _, what in self.arrivals if what.startswith("slow "))

    def arrived_after(self, moment: float) -> list[str]:
        with self.lock:
            return [what for when, what in self.arrivals if when > moment]


@contextmanager
def slow_proxy(upstream: str, delay: float, slow: Callable[[str, bytes], bool]) -> Iterator[tuple[str, SlowProxy]]:
    proxy = SlowProxy(upstream, delay, slow)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = self.headers.get("X-Amz-Target", "") + " " + self.path
            is_slow = proxy.slow(target, body)
            with proxy.lock:
                proxy.arrivals.append((time.monotonic(), ("slow " if is_slow else "fast ") + target[:120]))
            if is_slow:
                proxy.stopping.wait(proxy.delay)
            connection = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass
            finally:
                connection.close()

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", proxy
    finally:
        proxy.stopping.set()
        server.shutdown()
        server.server_close()
