"""Whether a server already listens on ``carebridge serve``'s address.

``carebridge serve`` lets each gunicorn process listen on the address itself (SO_REUSEPORT), so
that the kernel deals new connections out evenly instead of the processes racing for them
(cli.py). The same option would let a second server started on that address (a forgotten old
one, a typo in a unit file) share the port silently, each taking part of the traffic, where
without it the second would fail to start. ``serve`` asks first."""

import errno
import socket

from gunicorn.util import parse_address


def address_in_use(bind: str) -> bool:
    """True when a process listens on ``bind`` (``host:port``) already. A Unix socket, an
    inherited descriptor or an address this host cannot bind is not ours to judge: gunicorn
    reports those itself."""
    address = parse_address(bind)
    if not isinstance(address, tuple):
        return False
    host, port = address
    try:
        found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return False
    for family, kind, proto, _name, sockaddr in found:
        with socket.socket(family, kind, proto) as probe:
            # A port left in TIME_WAIT by a server that just stopped is free to use again;
            # only a socket that listens there makes bind fail with this option on.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(sockaddr)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return True
    return False
