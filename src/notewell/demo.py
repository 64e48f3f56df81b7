"""A demo practice for trying the web app: users, three synthetic clients, sessions, scores.

Work in progress (issue 6): :func:`run_demo` is filled in with the seeding.
"""

from __future__ import annotations

from typing import TextIO


def run_demo(out: TextIO) -> None:
    """Create the demo practice in the data folder and print the demo users' passwords once."""
    raise NotImplementedError("notewell demo is being built (issue 6)")
