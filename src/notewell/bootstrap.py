"""Composition root: settings → knowledge → extractor, renderers, checks; and the record.

Nothing here runs at import time; :func:`build` is called by the CLI (and later the web app)
and the heavy parts (the spaCy pipeline) are built on first use. :func:`open_record` wires the
clinical record (database, keys, use cases) on demand; ``build`` never touches a database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notewell.clinical.knowledge import Knowledge
from notewell.composition.composer import Composer
from notewell.composition.formats import FormatRegistry
from notewell.config import Settings
from notewell.domain.notes import Note
from notewell.domain.session import Session
from notewell.errors import ConfigurationError
from notewell.extraction.extractor import Extractor
from notewell.review.reviewer import Reviewer

if TYPE_CHECKING:  # the record's modules import SQLAlchemy: load them only when opened
    from notewell.records.ports import Clock
    from notewell.records.service import RecordService
    from notewell.storage.store import Database


@dataclass
class App:
    """The wired application: what the CLI and services are handed."""

    settings: Settings
    knowledge: Knowledge
    formats: FormatRegistry
    composer: Composer
    reviewer: Reviewer
    _extractor: Extractor | None = field(default=None, repr=False)

    @property
    def techniques(self) -> frozenset[str]:
        """The technique labels the interventions lexicon knows (for checklist validation)."""
        return frozenset(t["id"] for t in self.knowledge.lexicons["interventions"]["techniques"])

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:
            self._extractor = Extractor(self.knowledge)
        return self._extractor


def build(settings: Settings | None = None) -> App:
    """Load settings and clinical knowledge (validated) and return the wired app."""
    settings = settings or Settings.from_env()
    knowledge = Knowledge.load(settings.rules_dir)
    formats = FormatRegistry(Composer.BLOCKS)
    formats.load_builtin()
    if settings.formats_dir is not None:
        formats.load_folder(settings.formats_dir)
    composer = Composer(knowledge.phrasing, knowledge.cpt, knowledge.instruments, formats)
    reviewer = Reviewer.load(knowledge.cpt, knowledge.instruments, settings.rules_dir)
    return App(settings=settings, knowledge=knowledge, formats=formats, composer=composer, reviewer=reviewer)


class EngineDrafter:
    """The record's :class:`~notewell.records.ports.Drafter` port over the note engine.

    The engine (knowledge, spaCy pipeline) is built on the first draft, so record commands that
    never draft (``notewell users add``, ``audit verify``…) start quickly.

    ``lock`` serialises use of the engine within a process: the web app runs requests on a
    thread pool, and parts of the pipeline keep per-call state that is not safe to share
    between threads. (The engine is CPU-bound under the GIL, so the lock costs no throughput;
    ``notewell serve --workers N`` runs N engines in parallel.)
    """

    def __init__(self, settings: Settings, app: App | None = None) -> None:
        self._settings = settings
        self._app = app
        self.lock = threading.RLock()

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def app(self) -> App:
        if self._app is None:
            with self.lock:  # two first requests must not build two engines
                if self._app is None:
                    self._app = build(self._settings)
        return self._app

    def draft(self, session: Session, fmt: str) -> Note:
        from notewell.services.drafting import draft_note

        app = self.app
        with self.lock:
            return draft_note(session, fmt, app.extractor, app.composer, app.reviewer)


@dataclass
class Record:
    """The clinical record, wired: the use cases and the database they run on."""

    service: RecordService
    database: Database
    drafter: EngineDrafter

    @property
    def settings(self) -> Settings:
        return self.drafter.settings

    def close(self) -> None:
        self.database.dispose()


def clinic_timezone(settings: Settings) -> tzinfo:
    """``NOTEWELL_TIMEZONE`` (an IANA name), else the machine's local zone."""
    if settings.timezone:
        try:
            return ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(f"NOTEWELL_TIMEZONE: unknown time zone {settings.timezone!r}") from None
    return datetime.now().astimezone().tzinfo or UTC


def open_record(
    settings: Settings | None = None,
    *,
    create: bool = False,
    app: App | None = None,
    clock: Clock | None = None,
) -> Record:
    """Open (or with ``create``, initialise) the clinical record configured by ``settings``.

    Imports SQLAlchemy and friends only when called: ``notewell extract`` never touches them.
    """
    from notewell.records.service import RecordPolicy, RecordService
    from notewell.storage.passwords import Argon2PasswordHasher
    from notewell.storage.store import Database

    settings = settings or (app.settings if app is not None else Settings.from_env())
    database = Database.open(settings, create=create)
    drafter = EngineDrafter(settings, app)
    policy = RecordPolicy(
        late_entry_hours=settings.late_entry_hours,
        ai_consent=settings.ai_consent,
        retention_years=settings.retention_years,
        timezone=clinic_timezone(settings),
    )

    def cpt_rules() -> Any:
        return drafter.app.knowledge.cpt

    service = RecordService(
        database.unit_of_work,
        drafter,
        Argon2PasswordHasher(),
        clock=clock,
        policy=policy,
        cpt_rules=_LazyMapping(cpt_rules),
    )
    return Record(service=service, database=database, drafter=drafter)


class _LazyMapping(Mapping[str, Any]):
    """A mapping loaded on first use (the CPT rules come with the clinical knowledge)."""

    def __init__(self, load: Callable[[], Mapping[str, Any]]) -> None:
        self._load = load
        self._data: Mapping[str, Any] | None = None

    def _get(self) -> Mapping[str, Any]:
        if self._data is None:
            self._data = self._load()
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())
