"""Compiling ``labelled_cues`` lexicons (a label with cue patterns) into matchable rules."""

from __future__ import annotations

from typing import Any

from notewell.extraction.matching import CompiledRule


def compile_labels(lexicon: dict[str, Any]) -> list[CompiledRule]:
    """One rule per cue, its payload the label id: ``sym.sleep`` → ``sleep``."""
    rules = []
    for label in lexicon["labels"]:
        for cue in label["cues"]:
            rules.append(
                CompiledRule.build(cue["id"], cue["pattern"], cue.get("case_sensitive", False), label["id"])
            )
    return rules


def label_weights(lexicon: dict[str, Any]) -> dict[str, float]:
    return {label["id"]: float(label.get("weight", 1.0)) for label in lexicon["labels"]}
