"""The internet node's TCP listener: answers each connection with the source address it saw, then closes.

``python -m communet.lab.whoami PORT`` listens on every address of its namespace, IPv4 and IPv6.
A town's NAT check connects and reads the translated address back, as a "what is my IP" service does.
"""

from __future__ import annotations

import socket
import socketserver
import sys


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        host = str(self.client_address[0]).removeprefix("::ffff:")
        self.request.sendall(f"{host}\n".encode())


class DualStackServer(socketserver.ThreadingTCPServer):
    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main(argv: list[str]) -> None:
    port = int(argv[1]) if len(argv) > 1 else 80
    with DualStackServer(("::", port), Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
