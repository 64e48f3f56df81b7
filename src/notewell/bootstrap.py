"""Composition root: settings → knowledge → extractor, renderers, checks.

Nothing here runs at import time; :func:`build` is called by the CLI (and later the web app)
and the heavy parts (the spaCy pipeline) are built on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from notewell.clinical.knowledge import Knowledge
from notewell.config import Settings
from notewell.extraction.extractor import Extractor


@dataclass
class App:
    """The wired application: what the CLI and services are handed."""

    settings: Settings
    knowledge: Knowledge
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
    return App(settings=settings, knowledge=Knowledge.load(settings.rules_dir))
