"""The reviewer: runs every configured check over a draft and returns its nudges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notewell.clinical import loader
from notewell.domain.facts import Facts
from notewell.domain.notes import Note, Nudge
from notewell.domain.session import Session
from notewell.errors import RuleFileError
from notewell.review.checks import CHECKS, CheckConfig, CheckRegistry, ReviewContext

CONFIG_KEYS = ("code", "severity", "message", "fix")


class Reviewer:
    """Configured checks (``clinical/checks/checks.yaml``) over the registry's implementations."""

    def __init__(
        self,
        config: Mapping[str, Any],
        cpt: Mapping[str, Any],
        instruments: Mapping[str, Mapping[str, Any]],
        registry: CheckRegistry = CHECKS,
    ) -> None:
        self.cpt = cpt
        self.instruments = instruments
        self.registry = registry
        self.configs: list[CheckConfig] = []
        for raw in config["checks"]:
            if raw["code"] not in registry.codes():
                raise RuleFileError("checks.yaml", f"no check is registered for code {raw['code']!r}")
            params = {k: v for k, v in raw.items() if k not in CONFIG_KEYS}
            self.configs.append(CheckConfig(raw["code"], raw["severity"], raw["message"], raw["fix"], params))

    @classmethod
    def load(
        cls, cpt: Mapping[str, Any], instruments: Mapping[str, Mapping[str, Any]], rules_dir: Any = None
    ) -> Reviewer:
        return cls(loader.load("checks/checks.yaml", "checks", rules_dir), cpt, instruments)

    def review(self, session: Session, facts: Facts, note: Note) -> list[Nudge]:
        ctx = ReviewContext(session, facts, note, self.cpt, self.instruments)
        nudges: list[Nudge] = []
        for cfg in self.configs:
            nudges.extend(self.registry.get(cfg.code)(ctx, cfg))
        return nudges
