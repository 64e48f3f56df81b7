"""``notewell demo``: a demo practice to try the web app on (``make run`` calls it, then ``serve``).

::

    notewell demo          # data folder, key, demo users (passwords printed once), three clients

Synthetic data only. The seeding itself lives in :mod:`notewell.demo`.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> dict[str, Any]:
    """Add the demo command to the ``notewell`` parser."""
    sub.add_parser("demo", help="create a demo practice (users, three clients, sessions, scores)")
    return {"demo": _cmd_demo}


def _cmd_demo(args: argparse.Namespace, run: Any) -> None:
    from notewell.demo import run_demo

    run_demo(run.out)
