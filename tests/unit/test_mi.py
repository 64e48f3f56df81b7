"""MI language: the shipped talk/reflection models, their run-time arithmetic and their fallbacks.

All sessions are synthetic. The model's figures on real sessions (AnnoMI) are measured by
``scripts/train_mi_models.py`` (nested cross-validation) and ``external.py annomi``, not here.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy
import pytest

from notewell.bootstrap import App
from notewell.domain.facts import Facts
from notewell.extraction.mi import (
    MODEL_FILE,
    LinearModel,
    MITalkDetector,
    load_models,
    reflection_features,
    talk_features,
)
from tests.factories import make_session

ANNOMI_DEV = Path(__file__).resolve().parents[3] / "shared/data/annomi/annomi-dev.csv"


def shipped() -> dict[str, Any]:
    node = resources.files("notewell.clinical").joinpath("models").joinpath(MODEL_FILE)
    data: dict[str, Any] = json.loads(node.read_text(encoding="utf-8"))
    return data


def tiny_model(**extra: Any) -> LinearModel:
    """A hand-made three-class model: "quit" pulls to change, "love" to sustain."""
    return LinearModel.from_json(
        {
            "classes": ["change", "neutral", "sustain"],
            "weights": {"w:quit": [3.0, -1.0, -1.0], "w:love": [-1.0, -1.0, 3.0], "w:the": [0.0, 0.5, 0.0]},
            "intercept": [0.0, 0.5, 0.0],
            "idf": {"w:quit": 2.0, "w:love": 2.0, "w:the": 1.0, "w:rare": 3.0},
            **extra,
        }
    )


# ------------------------------------------------------------------ run-time arithmetic


def test_batched_scoring_matches_the_one_at_a_time_path() -> None:
    """predict_array (numpy, one pass per session) and probabilities (pure Python) are two
    implementations of the same tf-idf + softmax; a drift between them would silently change
    labels depending on which path a caller used."""
    model = load_models()["client_talk"]
    vocabulary = sorted(model.idf)
    rng = random.Random(4)
    batch = [{name: 1.0 for name in rng.sample(vocabulary, rng.randint(0, 30))} for _ in range(40)]
    batch.append({"w:never-seen-in-training": 1.0})  # unknown features count for nothing
    array = model.predict_array(batch)
    for row, feats in zip(array, batch, strict=True):
        one = model.probabilities(feats)
        assert [one[c] for c in model.classes] == pytest.approx(row.tolist(), abs=1e-9)
    assert array.shape == (len(batch), len(model.classes))
    assert numpy.allclose(array.sum(axis=1), 1.0)


def test_unknown_features_are_left_out_of_the_norm() -> None:
    """A feature the model never saw must not dilute the ones it knows (its idf is unknown)."""
    model = tiny_model()
    with_unknown = model.predict_array([{"w:quit": 1.0, "w:zzz": 1.0}])[0]
    alone = model.predict_array([{"w:quit": 1.0}])[0]
    assert with_unknown.tolist() == pytest.approx(alone.tolist())
    # a known feature with no weight still counts in the l2 norm, so it softens the decision
    diluted = model.predict_array([{"w:quit": 1.0, "w:rare": 1.0}])[0]
    assert diluted[0] < alone[0]


def test_offsets_move_the_decision_towards_rare_classes() -> None:
    """The offsets are tuned for macro-F1: a borderline turn goes to the rarer class."""
    feats = [{"w:the": 1.0}]  # slightly neutral
    plain = tiny_model()
    assert plain.decide(plain.predict_array(feats)) == ["neutral"]
    shifted = tiny_model(offsets=[0.0, 0.0, 1.5])
    assert shifted.decide(shifted.predict_array(feats)) == ["sustain"]
    assert shifted.decide(shifted.predict_array([{"w:quit": 1.0}])) == ["change"]


def test_empty_batch() -> None:
    assert tiny_model().predict_array([]).shape == (0, 3)
    assert tiny_model().predict_many([]) == []


# ------------------------------------------------------------------ features


def test_reflection_features_read_the_clients_answer() -> None:
    """A reflection is usually met with agreement ("Yeah. Exactly."), a question with an answer."""
    after = reflection_features("So the drinking helps you unwind.", "I drink to relax.", "Yeah. Exactly.")
    assert after["ncfirst:yeah"] == 1.0
    assert "next:none" not in after
    last = reflection_features("So the drinking helps you unwind.", "I drink to relax.", None)
    assert last["next:none"] == 1.0
    assert not any(k.startswith("nc") for k in last)
    # more client words in the therapist turn → a higher overlap bucket
    echo = reflection_features("You drink to relax.", "I drink to relax.")
    other = reflection_features("What time is it now?", "I drink to relax.")
    assert echo["overlap:4"] == 1.0 and "overlap:4" not in other


def test_talk_features_see_the_therapist_turn_before() -> None:
    feats = talk_features("Yeah.", "What would you like to change?", ["ct.desire"])
    assert feats["prev:question"] == 1.0
    assert feats["p:change"] == 1.0
    assert feats["cue:ct.desire"] == 1.0
    assert feats["len:1"] == 1.0


# ------------------------------------------------------------------ the shipped file


def test_shipped_model_records_its_provenance() -> None:
    data = shipped()
    prov = data["provenance"]
    assert "dev half" in prov["data"]
    assert len(prov["file_sha256"]) == 64
    cv = prov["cross_validation"]
    assert "nested" in cv["scheme"]
    assert 0.0 < cv["client_talk_macro_f1"] < prov["in_sample"]["extractor"]["client_talk_macro_f1"]
    assert 0.0 < cv["reflection_f1"] < 1.0
    models = data["models"]
    assert models["client_talk"]["classes"] == ["change", "neutral", "sustain"]
    assert len(models["client_talk"]["offsets"]) == 3
    assert "reflection" in models["reflection"]["classes"]
    assert 0.0 < models["reflection"]["threshold"] < 1.0


@pytest.mark.skipif(not ANNOMI_DEV.exists(), reason="the AnnoMI dev half is not on this machine")
def test_shipped_model_was_trained_on_the_dev_half_on_this_machine() -> None:
    """The recorded hash is the hash of the training CSV: retraining on another file shows."""
    assert shipped()["provenance"]["file_sha256"] == hashlib.sha256(ANNOMI_DEV.read_bytes()).hexdigest()


# ------------------------------------------------------------------ in extraction


def kinds(facts: Facts) -> list[str]:
    return [c.kind for c in facts.change_talk]


def test_clear_change_and_sustain_talk_in_a_synthetic_session(extract: Callable[..., Facts]) -> None:
    text = (
        "T: How has the drinking been this week?\n"
        "C: I can't keep waking up like this. I want to cut back for my kids.\n"
        "T: What would be hard about that?\n"
        "C: Honestly, I like drinking. It's how I unwind and I don't think I have a problem.\n"
    )
    facts = extract(text)
    by_turn = {c.evidence[0].start: c.kind for c in facts.change_talk}
    change_start = text.index("I can't keep")
    sustain_start = text.index("Honestly")
    assert by_turn.get(change_start) == "change"
    assert by_turn.get(sustain_start) == "sustain"
    for c in facts.change_talk:
        assert 0.0 < c.confidence <= 1.0


def test_one_client_turn_and_none(extract: Callable[..., Facts]) -> None:
    """The edges of a session: a single client turn, or a therapist talking alone."""
    assert kinds(extract("C: I'm going to try just weekends.\n")) == ["change"]
    assert extract("T: Welcome back. Let's start with the week.\n").change_talk == ()


def test_reflections_are_found_by_the_shipped_model(app: App) -> None:
    text = (
        "T: What brings you in?\n"
        "C: My wife says I drink too much, and I guess the mornings are rough.\n"
        "T: So the mornings have been rough, and your wife is worried about the drinking.\n"
        "C: Yeah. Exactly.\n"
        "T: How many drinks would you have on a typical night?\n"
        "C: Four or five.\n"
    )
    doc = app.extractor.document(make_session(text))
    found = [text[e.start : e.end] for e in app.extractor.mi.reflections(doc)]
    assert found == ["So the mornings have been rough, and your wife is worried about the drinking."]


def test_without_the_model_the_cue_lexicon_decides(app: App) -> None:
    """A clinic may delete the model file: change talk then comes from the cues alone, one item
    per sentence, and reflections from the overlap rule."""
    lexicon = app.knowledge.lexicon("change_talk")
    detector = MITalkDetector(lexicon, models={})
    text = (
        "T: And the weekends?\nC: Yeah. I'd like to get back to weekends only. I don't see myself quitting.\n"
    )
    doc = app.extractor.document(make_session(text))
    talk = detector.change_talk(doc, set())
    assert sorted((c.kind, text[c.evidence[0].start : c.evidence[0].end]) for c in talk) == [
        ("change", "I'd like to get back to weekends only."),
        ("sustain", "I don't see myself quitting."),
    ]
    echo = "T: Tell me more.\nC: The mornings are rough.\nT: The mornings are rough.\n"
    echo_doc = app.extractor.document(make_session(echo))
    assert [echo[e.start : e.end] for e in detector.reflections(echo_doc)] == ["The mornings are rough."]


def test_reflection_threshold_comes_from_the_model_file(app: App) -> None:
    """The threshold is tuned by cross-validation and stored with the weights; the detector must
    use it rather than a fixed 0.5."""
    spec = shipped()["models"]["reflection"]
    text = "T: Tell me more.\nC: The mornings are rough.\nT: The mornings have been rough for you.\n"
    doc = app.extractor.document(make_session(text))
    lexicon = app.knowledge.lexicon("change_talk")
    never = MITalkDetector(lexicon, models={"reflection": LinearModel.from_json({**spec, "threshold": 1.01})})
    always = MITalkDetector(lexicon, models={"reflection": LinearModel.from_json({**spec, "threshold": 0.0})})
    assert never.reflections(doc) == []
    assert len(always.reflections(doc)) == 1  # the one therapist turn after a client turn


def test_confidence_is_a_probability_rounded_for_display(extract: Callable[..., Facts]) -> None:
    facts = extract("T: And now?\nC: I'm ready to stop. I've already thrown out the bottles.\n")
    assert facts.change_talk
    for c in facts.change_talk:
        assert math.isclose(c.confidence, round(c.confidence, 3))
