"""Loopback ports for tests."""

import socket


def free_port() -> int:
    """A loopback port nobody listens on (the kernel's pick, released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
