"""Typed settings from ``NOTEWELL_*`` environment variables.

Built by :mod:`notewell.bootstrap` on demand, never at import time, so tests and tools can
construct their own :class:`Settings` without touching the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MAX_INPUT_BYTES = 2 * 1024 * 1024
"""Largest session file accepted (2 MB): a 3-hour transcript is ~200 kB; anything bigger is a mistake."""


@dataclass(frozen=True)
class Settings:
    """What a Notewell installation is configured with.

    ``rules_dir`` lets a clinic override or extend the shipped clinical lexicons (same file names);
    ``formats_dir`` adds a clinic's own note formats.
    """

    rules_dir: Path | None = None
    formats_dir: Path | None = None
    max_input_bytes: int = MAX_INPUT_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        rules = env.get("NOTEWELL_RULES_DIR")
        formats = env.get("NOTEWELL_FORMATS_DIR")
        return cls(
            rules_dir=Path(rules) if rules else None,
            formats_dir=Path(formats) if formats else None,
        )
