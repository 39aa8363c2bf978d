"""Slow clients: connections that trickle a request's headers and never end them (slowloris)."""

import contextlib
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable


class SlowClients:
    """``count`` connections to ``port`` on 127.0.0.1, each sending a request's first line, then one header byte every
    ``interval`` seconds, never the blank line that ends the headers: never idle, never a whole request.

    ``wrap`` wraps each new socket (in TLS, say). With ``reconnect``, a connection the server closes is replaced at
    once, as an attack does. ``lifetimes`` holds how long each closed one had lived, in seconds (to within a tenth).
    Use as a context manager: every connection is closed at the end.
    """

    def __init__(self, port: int, count: int, interval: float, host_header: str = "127.0.0.1",
                 wrap: Callable[[socket.socket], socket.socket] | None = None, reconnect: bool = False) -> None:
        self.port, self.interval, self.wrap, self.reconnect = port, interval, wrap, reconnect
        self.start = f"GET / HTTP/1.1\r\nHost: {host_header}\r\nX-Slow: ".encode()
        self.lifetimes: list[float] = []
        self.opened = 0
        self._open: dict[socket.socket, float] = {}
        self._stop = threading.Event()
        try:
            for _ in range(count):
                self._connect()
        except OSError:
            self._close_all()
            raise
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def __enter__(self) -> "SlowClients":
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)
        self._close_all()

    def _close_all(self) -> None:
        for sock in self._open:
            sock.close()
        self._open.clear()

    @property
    def still_open(self) -> int:
        """How many connections the server has not closed."""
        return len(self._open)

    def _connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        if self.wrap is not None:
            sock = self.wrap(sock)
        sock.sendall(self.start)
        sock.setblocking(False)
        self._open[sock] = time.monotonic()
        self.opened += 1

    def _closed(self, sock: socket.socket) -> None:
        self.lifetimes.append(time.monotonic() - self._open.pop(sock))
        sock.close()
        if self.reconnect and not self._stop.is_set():
            with contextlib.suppress(OSError):  # one fewer: the test sees it in still_open
                self._connect()

    def _trickle(self) -> None:
        next_byte = time.monotonic() + self.interval
        while not self._stop.is_set():
            if not self._open:
                self._stop.wait(0.1)
                continue
            readable, _, _ = select.select(list(self._open), [], [], 0.1)
            for sock in readable:
                try:
                    if not sock.recv(4096):  # the server closed it
                        self._closed(sock)
                except (ssl.SSLWantReadError, BlockingIOError):  # TLS records that carry no data, such as session tickets
                    pass
                except OSError:
                    self._closed(sock)
            if time.monotonic() >= next_byte:
                next_byte += self.interval
                for sock in list(self._open):
                    try:
                        sock.send(b"a")
                    except (ssl.SSLWantWriteError, BlockingIOError):
                        pass
                    except OSError:
                        self._closed(sock)
