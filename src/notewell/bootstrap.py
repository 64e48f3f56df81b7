"""Composition root: settings → knowledge → extractor, renderers, checks.

Nothing here runs at import time; :func:`build` is called by the CLI (and later the web app)
and the heavy parts (the spaCy pipeline) are built on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from notewell.clinical.knowledge import Knowledge
from notewell.composition.composer import Composer
from notewell.composition.formats import FormatRegistry
from notewell.config import Settings
from notewell.extraction.extractor import Extractor
from notewell.review.reviewer import Reviewer


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
