"""Typed settings from ``NOTEWELL_*`` environment variables.

Built by :mod:`notewell.bootstrap` on demand, never at import time, so tests and tools can
construct their own :class:`Settings` without touching the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from notewell.errors import ConfigurationError

MAX_INPUT_BYTES = 2 * 1024 * 1024
"""Largest session file accepted (2 MB): a 3-hour transcript is ~200 kB; anything bigger is a mistake."""

ConsentPolicy = Literal["refuse", "warn"]
CONSENT_POLICIES: tuple[ConsentPolicy, ...] = ("refuse", "warn")
DATABASE_FILE = "notewell.db"
KEY_FILE = "secret.key"


@dataclass(frozen=True)
class Settings:
    """What a Notewell installation is configured with.

    ``rules_dir`` lets a clinic override or extend the shipped clinical lexicons (same file names);
    ``formats_dir`` adds a clinic's own note formats.

    The clinical record: ``data_dir`` holds the SQLite database and the key file unless
    ``database_url`` points at PostgreSQL (``postgresql://user@host/notewell``) and
    ``secret_key`` is given. A note signed more than ``late_entry_hours`` after the session
    ended is labelled a late entry ("Late entry for DOS 2026-03-04, written 2026-03-06");
    ``retention_years`` after a client's last service their record is removed by
    ``notewell retention apply``; ``ai_consent`` decides whether drafting for a client without
    consent to AI-assisted documentation is refused or only warned; ``timezone`` (IANA name,
    e.g. ``America/Chicago``) is the clinic's wall clock that session times are written in.
    """

    rules_dir: Path | None = None
    formats_dir: Path | None = None
    max_input_bytes: int = MAX_INPUT_BYTES
    data_dir: Path = Path("data")
    database_url: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    late_entry_hours: float = 24.0
    retention_years: int = 7
    ai_consent: ConsentPolicy = "warn"
    timezone: str | None = None

    @property
    def resolved_database_url(self) -> str:
        """``NOTEWELL_DATABASE_URL``, or the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / DATABASE_FILE}"

    @property
    def key_file(self) -> Path:
        """Where the generated key lives when ``NOTEWELL_SECRET_KEY`` is not set (mode 0600)."""
        return self.data_dir / KEY_FILE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        rules = env.get("NOTEWELL_RULES_DIR")
        formats = env.get("NOTEWELL_FORMATS_DIR")
        consent = env.get("NOTEWELL_AI_CONSENT", "warn").strip().lower()
        if consent not in CONSENT_POLICIES:
            raise ConfigurationError(f"NOTEWELL_AI_CONSENT: expected refuse or warn, got {consent!r}")
        return cls(
            rules_dir=Path(rules) if rules else None,
            formats_dir=Path(formats) if formats else None,
            data_dir=Path(env.get("NOTEWELL_DATA_DIR") or "data"),
            database_url=env.get("NOTEWELL_DATABASE_URL") or None,
            secret_key=env.get("NOTEWELL_SECRET_KEY") or None,
            late_entry_hours=_number(env, "NOTEWELL_LATE_ENTRY_HOURS", 24.0, minimum=0.0),
            retention_years=int(_number(env, "NOTEWELL_RETENTION_YEARS", 7, minimum=1, integer=True)),
            ai_consent="refuse" if consent == "refuse" else "warn",
            timezone=env.get("NOTEWELL_TIMEZONE") or None,
        )


def _number(
    env: Mapping[str, str], name: str, default: float, *, minimum: float, integer: bool = False
) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ConfigurationError(f"{name}: expected {kind}, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name}: must be at least {minimum:g}, got {raw!r}")
    return value
