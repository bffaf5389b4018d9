"""A listener that accepts TCP connections, records every byte sent to it and never answers.

Two uses in hostile-answer tests: as the "other host" a redirect fault points at, it shows
whether a client followed the redirect and what it sent there (a password, an ``Auth`` header);
as a black hole, it shows that a client gives up on a server that accepts the connection but
never answers, within its timeouts.  Plain TCP on purpose: a client following an ``http://``
redirect would send its headers in clear text, and one following ``https://`` would still show
up as a connection and a TLS ClientHello.
"""

from __future__ import annotations

import socket
import threading


class Trap:
    """Listens on loopback (port 0 = any free one) until ``close``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.2)  # so the accept loop notices close()
        self._lock = threading.Lock()
        self._received: list[bytes] = []
        self._connections = 0
        self._open: list[socket.socket] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="trap", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """``http://host:port``: where a redirect fault can send clients."""
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    @property
    def received(self) -> bytes:
        """Everything any connection sent, in arrival order."""
        with self._lock:
            return b"".join(self._received)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for connection in self._open:
                connection.close()

    def __enter__(self) -> Trap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections += 1
                self._open.append(connection)
            threading.Thread(target=self._record, args=(connection,), daemon=True).start()

    def _record(self, connection: socket.socket) -> None:
        connection.settimeout(0.2)
        while not self._closed.is_set():
            try:
                data = connection.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self._received.append(data)
