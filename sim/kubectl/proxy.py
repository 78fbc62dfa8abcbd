"""``kubectl proxy``: the API server's proxy on a loopback port, until interrupted."""

from __future__ import annotations

import socket

from sim.kubectl import workloads
from sim.kubectl.command import Ctx
from sim.kubectl.errors import fail
from sim.kubectl.flags import BOOL, INT, f

FLAGS = (
    f("port", "p", INT, 8001), f("address", default="127.0.0.1"), f("www", "w"),
    f("www-prefix", "P", default="/static/"), f("api-prefix", default="/"),
    f("accept-paths"), f("reject-paths"), f("accept-hosts"), f("reject-methods"),
    f("disable-filter", kind=BOOL), f("unix-socket", "u"), f("keepalive", default="0s"),
    f("append-server-path", kind=BOOL),
)


def run(ctx: Ctx) -> int:
    o = ctx.opts
    if o["address"] not in ("127.0.0.1", "localhost"):
        raise fail(f"listen tcp {o['address']}:{o['port']}: bind: cannot assign requested address")
    port = _free_port(o["port"])
    ctx.out(f"Starting to serve on 127.0.0.1:{port}\n")
    workloads.serve_proxy(ctx.cluster, port, ctx.io)
    return 0


def _free_port(port: int) -> int:
    """The port the proxy will listen on, checked before the banner as kubectl listens first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise fail(f"listen tcp 127.0.0.1:{port}: bind: address already in use") from None
        return s.getsockname()[1]
