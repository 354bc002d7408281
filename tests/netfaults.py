"""Network faults between a client and a real server on loopback, for the fault tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class FaultyProxy:
    """A TCP proxy on loopback between a client and a real server. While `drops` > 0 it forwards a request, waits for
    the server's answer (the server has committed by then) and cuts the connection instead of passing the answer on;
    with `delay_s` it holds every answer back that long (a slow helpdesk), noting in `released` the request line of
    each answer it has let through since."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.drops = 0
        self.dropped = 0
        self.delay_s = 0.0
        self.released: list[str] = []
        self.pass_bytes = 0
        """With drops: pass this much of the answer on before cutting (a server dying mid-download)."""
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self._stop:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket):
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))

        def cut(*sockets):
            for s in sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)  # FIN now, even while another thread sits in recv()
                s.close()

        def pump(src, dst):
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                cut(src, dst)

        head = client.recv(65536)  # the request's first bytes, with its request line
        with contextlib.suppress(OSError):
            upstream.sendall(head)
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        if self.drops > 0:
            first = upstream.recv(65536)  # the server answered: it has committed
            if first:
                self.drops -= 1
                self.dropped += 1
                if self.pass_bytes:
                    with contextlib.suppress(OSError):
                        client.sendall(first[: self.pass_bytes])
            cut(client, upstream)
            return
        if self.delay_s:
            first = upstream.recv(65536)
            time.sleep(self.delay_s)
            with contextlib.suppress(OSError):
                client.sendall(first)
            self.released.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
        pump(upstream, client)

    def close(self):
        self._stop = True
        self.sock.close()
