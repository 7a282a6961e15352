"""A keep-alive HTTP/1.1 server of plain sockets on 127.0.0.1, for what the emulator cannot do: close an
idle connection, drop a reply halfway, speak TLS with a certificate of its own, stand in for a proxy."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

CREATED = b'{"message": {"id": "m1"}}'


def reply(status: int = 201, body: bytes = CREATED, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s" % (
        status,
        len(body),
        extra,
        body,
    )


@dataclass
class Seen:
    """What the server saw: each request whole (head and body), and how many connections (TLS ones
    that completed their handshake)."""

    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    closed: int = 0  # connections the server has closed
    reads: list[bytes] = field(default_factory=list)  # each recv() that started a request

    def wait_closed(self, count: int, within: float = 5.0) -> None:
        deadline = time.monotonic() + within
        while self.closed < count:
            assert time.monotonic() < deadline, f"the server closed {self.closed} connection(s), not {count}"
            time.sleep(0.005)


def read_request(conn: socket.socket, buffer: bytearray, seen: Seen) -> bytes | None:
    """One request (by its Content-Length) from the connection, or None once the client closed it."""
    while b"\r\n\r\n" not in buffer:
        data = conn.recv(65536)
        if not data:
            return None
        if not buffer:
            seen.reads.append(data)
        buffer += data
    head, _, _ = bytes(buffer).partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    size = len(head) + 4 + length
    while len(buffer) < size:
        data = conn.recv(65536)
        if not data:
            return None
        buffer += data
    request = bytes(buffer[:size])
    del buffer[:size]
    return request


# answer(conn, number, request) sends what it likes (`number` counts requests from 0, across
# connections) and returns whether to keep the connection open for the next request.
Answer = Callable[[socket.socket, int, bytes], bool]


def keep_alive(conn: socket.socket, number: int, request: bytes) -> bool:
    conn.sendall(reply())
    return True


@contextmanager
def http_server(answer: Answer = keep_alive, tls: ssl.SSLContext | None = None) -> Iterator[tuple[int, Seen]]:
    """Serves each connection in a thread until `answer` says close; yields the port and what it saw."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    seen = Seen()
    lock = threading.Lock()

    def serve(conn: socket.socket) -> None:
        try:
            if tls is not None:
                conn.settimeout(5)
                conn = tls.wrap_socket(conn, server_side=True)
            with lock:
                seen.connections += 1
            buffer = bytearray()
            while not stop.is_set():
                request = read_request(conn, buffer, seen)
                if request is None:
                    return
                with lock:
                    number = len(seen.requests)
                    seen.requests.append(request)
                if not answer(conn, number, request):
                    return
        except OSError:  # a client that hung up, or refused our certificate
            pass
        finally:
            conn.close()
            with lock:
                seen.closed += 1

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()
