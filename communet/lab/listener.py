"""The flow matrix's TCP listener: one process, a listening socket in each target namespace.

Run by the lab (``python -I listener.py PID:PORT,PORT ...``), recorded in its manifest like
every other process. A socket stays in the network namespace it was made in, so this one
process enters each target's namespace (``setns``), listens there on IPv4 and IPv6, comes
back, and then answers every connection with one line and closes it. Standard library
only: it runs from its file, without the package.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import selectors
import socket
import sys

CLONE_NEWNET = 0x40000000
GREETING = b"communet probe\n"


def setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def listen(port: int) -> socket.socket:
    """A dual-stack listener on ``port`` (IPv4-mapped addresses on the IPv6 socket)."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", port))
    sock.listen(64)
    sock.setblocking(False)
    return sock


def open_all(specs: list[str]) -> list[socket.socket]:
    """``PID:PORT,PORT`` per target: listen on those ports inside PID's network namespace."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    out = []
    try:
        for spec in specs:
            pid, _, ports = spec.partition(":")
            target = os.open(f"/proc/{int(pid)}/ns/net", os.O_RDONLY)
            try:
                setns(target)
                out += [listen(int(p)) for p in ports.split(",") if p]
            finally:
                os.close(target)
                setns(home)
    finally:
        os.close(home)
    return out


def serve(sockets: list[socket.socket]) -> None:
    sel = selectors.DefaultSelector()
    for sock in sockets:
        sel.register(sock, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            try:
                conn, _ = key.fileobj.accept()  # type: ignore[union-attr]
            except OSError:
                continue
            with contextlib.suppress(OSError):
                conn.sendall(GREETING)
            conn.close()


def main(argv: list[str]) -> int:
    sockets = open_all(argv)
    print(f"listening on {len(sockets)} sockets", flush=True)
    serve(sockets)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
