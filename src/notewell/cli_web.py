"""``notewell serve``: the clinician web app over the clinical record.

::

    notewell serve                              # http://127.0.0.1:8000, one worker
    notewell serve --host 0.0.0.0 --port 8080 --workers 2

The app itself lives in :mod:`notewell.web` (``create_app`` is an app factory, so every uvicorn
worker opens its own database engine).
"""

from __future__ import annotations

import argparse
import socket
from typing import Any


def register(sub: Any) -> dict[str, Any]:
    """Add the web commands to the ``notewell`` parser."""
    sv = sub.add_parser("serve", help="serve the clinician web app (default http://127.0.0.1:8000)")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    sv.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    return {"serve": _cmd_serve}


def _cmd_serve(args: argparse.Namespace, run: Any) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "notewell.web.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        # The access log prints request paths, which carry client and note ids; not PHI by
        # themselves, but the app logs what it needs (the audit trail) and nothing more.
        access_log=False,
    )
    if config.workers > 1:
        Multiprocess(config, sockets=[tcp_listener(config)]).run()
    else:
        uvicorn.Server(config).run()


def tcp_listener(config: Any) -> socket.socket:
    """The workers' shared listening socket, marked as TCP so that connections get TCP_NODELAY.

    uvicorn binds it with protocol number 0, and asyncio turns Nagle's algorithm off only for
    sockets that say ``IPPROTO_TCP``; with Nagle on, every keep-alive response waits ~40 ms for
    the client's delayed ACK (uvicorn issue #3149). Re-wrapping the same descriptor fixes that.
    """
    bound: socket.socket = config.bind_socket()
    if bound.family not in (socket.AF_INET, socket.AF_INET6):
        return bound
    return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
