"""Motivational-interviewing language: client change/sustain talk and therapist reflections.

Two small linear models (multinomial logistic regression over word n-grams, our cue lexicon and
the neighbouring turns) are shipped as JSON in ``clinical/models/mi_talk.json``. They were
trained only on the AnnoMI dev half (even transcript ids) by ``scripts/train_mi_models.py``;
provenance and cross-validated figures are in ``docs/models.md``. Reading the weights needs no
ML library at run time (numpy only). If the file is missing the cue lexicon alone decides.

A client turn is scored on its own words and the therapist turn before it; per-class offsets
on the log-probabilities, tuned by cross-validation for macro-F1, then pick the label (sustain
talk is rare, one client turn in ten, and would otherwise be drowned by neutral turns). A
therapist turn is scored with the client turns on either side of it.

Example: the client turn ``I can't keep waking up like this.`` after the therapist's ``That
stung.`` scores as change talk (a Need statement); ``It's the only thing that shuts my brain
off.`` as sustain talk.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal, TypeGuard, cast

from notewell.domain.evidence import Evidence
from notewell.domain.facts import ChangeTalk
from notewell.extraction.cues import compile_labels
from notewell.extraction.document import Document

_KNOWN = cast("Callable[[int | None], TypeGuard[int]]", functools.partial(operator.is_not, None))
"""A feature the model knows (its column lookup found something)."""

WORD = re.compile(r"[a-z0-9']+")
MODEL_FILE = "mi_talk.json"
TALK_KINDS: tuple[Literal["change", "sustain"], ...] = ("change", "sustain")


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def _length_bucket(n: int) -> str:
    if n <= 1:
        return "1"
    if n <= 3:
        return "2-3"
    if n <= 8:
        return "4-8"
    if n <= 20:
        return "9-20"
    return "21+"


def talk_features(text: str, previous: str, cue_ids: Iterable[str]) -> dict[str, float]:
    """Features of a client utterance, given the therapist's turn before it."""
    words = _words(text)
    feats: dict[str, float] = {"bias": 1.0, f"len:{_length_bucket(len(words))}": 1.0}
    for w in words:
        feats[f"w:{w}"] = 1.0
    for a, b in itertools.pairwise(words):
        feats[f"b:{a}_{b}"] = 1.0
    if words:
        feats[f"first:{words[0]}"] = 1.0
    for cue in cue_ids:
        feats[f"cue:{cue}"] = 1.0
    prev = _words(previous)
    if previous.rstrip().endswith("?"):
        feats["prev:question"] = 1.0
    for w in prev[-12:]:
        feats[f"p:{w}"] = 1.0
    return feats


def reflection_features(text: str, previous_client: str, next_client: str | None = None) -> dict[str, float]:
    """Features of a therapist utterance, given the client's turn before it and the client's
    answer after it. The answer matters: a reflection ("So the drinking helps you unwind.")
    is usually met with agreement or elaboration ("Yeah. Exactly."), a question with an answer
    to it ("Three or four nights a week.")."""
    words = _words(text)
    feats: dict[str, float] = {"bias": 1.0, f"len:{_length_bucket(len(words))}": 1.0}
    for w in words:
        feats[f"w:{w}"] = 1.0
    for a, b in itertools.pairwise(words):
        feats[f"b:{a}_{b}"] = 1.0
    for i, w in enumerate(words[:3]):
        feats[f"first{i}:{w}"] = 1.0
    if "?" in text:
        feats["question"] = 1.0
    if text.rstrip().endswith("?"):
        feats["ends_question"] = 1.0
    prev = set(_words(previous_client))
    content = [w for w in words if len(w) > 3]
    if content:
        overlap = sum(1 for w in content if w in prev) / len(content)
        feats[f"overlap:{min(4, int(overlap * 5))}"] = 1.0
    if next_client is None:
        feats["next:none"] = 1.0
    else:
        answer = _words(next_client)
        for w in answer[:6]:
            feats[f"nc:{w}"] = 1.0
        if answer:
            feats[f"ncfirst:{answer[0]}"] = 1.0
        feats[f"nclen:{_length_bucket(len(answer))}"] = 1.0
        if next_client.rstrip().endswith("?"):
            feats["nc:question"] = 1.0
    return feats


@dataclass(frozen=True)
class LinearModel:
    """A multinomial linear classifier over tf-idf features (sublinear tf, l2-normalised),
    stored as sparse weights per class, an intercept, and the idf of every training feature."""

    classes: tuple[str, ...]
    weights: dict[str, list[float]]
    intercept: tuple[float, ...]
    idf: dict[str, float]
    threshold: float = 0.5
    """For a yes/no reading (is this turn a reflection?): the probability from which it is yes."""
    offsets: tuple[float, ...] = ()
    """Per class, added to the log-probabilities before the most probable label is taken."""
    _scaled: dict[str, list[float]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _matrix: Any = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        return cls(
            tuple(data["classes"]),
            {k: list(v) for k, v in data["weights"].items()},
            tuple(data["intercept"]),
            dict(data["idf"]),
            float(data.get("threshold", 0.5)),
            tuple(float(x) for x in data.get("offsets", ())),
        )

    def __post_init__(self) -> None:
        # features are binary, so a feature's tf-idf value is its idf: fold it into the weights once
        scaled = {
            name: [x * self.idf.get(name, 0.0) for x in w]
            for name, w in self.weights.items()
            if name in self.idf
        }
        object.__setattr__(self, "_scaled", scaled)
        object.__setattr__(self, "_matrix", None)

    def _arrays(self) -> tuple[dict[str, int], Any, Any]:
        """Feature → row, the idf-scaled weights (rows × classes) and squared idfs, built once."""
        if self._matrix is None:
            import numpy

            names = list(self.idf)
            column = {n: i for i, n in enumerate(names)}
            weights = numpy.zeros((len(names) + 1, len(self.classes)))
            scaled = self._scaled
            for name, w in scaled.items():
                weights[column[name]] = w
            squares = numpy.array([self.idf[n] ** 2 for n in names] + [0.0])
            object.__setattr__(self, "_matrix", (column, weights, squares))
        matrix: tuple[dict[str, int], Any, Any] = self._matrix
        return matrix

    def predict_array(self, batch: Sequence[dict[str, float]]) -> Any:
        """Class probabilities (an utterances × classes numpy array) for many utterances in one
        numpy pass: a long transcript has hundreds of client turns. The features must be binary
        (present = 1.0), as :func:`talk_features` and :func:`reflection_features` make them."""
        import numpy

        if not batch:
            return numpy.zeros((0, len(self.classes)))
        column, weights, squares = self._arrays()
        pad = len(squares) - 1  # a zero row, so that every utterance has at least one
        rows: list[int] = []
        offsets: list[int] = []
        for feats in batch:
            offsets.append(len(rows))
            rows.append(pad)
            # column lookups and the filter stay in C: a 10k-word session has ~80k features
            rows.extend(filter(_KNOWN, map(column.get, feats)))
        index = numpy.array(rows)
        starts = numpy.array(offsets)
        sums = numpy.add.reduceat(weights[index], starts, axis=0)
        norms = numpy.sqrt(numpy.add.reduceat(squares[index], starts))
        norms[norms == 0] = 1.0
        scores = sums / norms[:, None] + numpy.array(self.intercept)
        return _softmax(scores)

    def decide(self, probs: Any) -> list[str]:
        """The label of each row of :meth:`predict_array`: the most probable class once the
        offsets are added to the log-probabilities."""
        import numpy

        logp = numpy.log(numpy.clip(probs, 1e-12, 1.0))
        if self.offsets:
            logp = logp + numpy.array(self.offsets)
        return [self.classes[i] for i in logp.argmax(axis=1)]

    def predict_many(self, batch: Sequence[dict[str, float]]) -> list[dict[str, float]]:
        """:meth:`probabilities` for many utterances at once (see :meth:`predict_array`)."""
        return [dict(zip(self.classes, row.tolist(), strict=True)) for row in self.predict_array(batch)]

    def probabilities(self, feats: dict[str, float]) -> dict[str, float]:
        idf = self.idf
        scaled = self._scaled
        squares = 0.0
        sums = [0.0] * len(self.intercept)
        for name, value in feats.items():
            f_idf = idf.get(name)
            if f_idf is None or value <= 0:
                continue
            weight = 1.0 if value == 1.0 else 1.0 + math.log(value)  # sublinear tf; features are 0/1
            squares += (weight * f_idf) ** 2
            w = scaled.get(name)
            if w is not None:
                sums = [acc + x * weight for acc, x in zip(sums, w, strict=True)]
        norm = math.sqrt(squares) or 1.0
        scores = [b + v / norm for b, v in zip(self.intercept, sums, strict=True)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}


def _softmax(scores: Any) -> Any:
    import numpy

    scores = scores - scores.max(axis=1, keepdims=True)
    exps = numpy.exp(scores)
    return exps / exps.sum(axis=1, keepdims=True)


def load_models() -> dict[str, LinearModel]:
    """The shipped MI models, or an empty dict when none are installed."""
    node = resources.files("notewell.clinical").joinpath("models").joinpath(MODEL_FILE)
    try:
        data = json.loads(node.read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError):
        return {}
    return {name: LinearModel.from_json(spec) for name, spec in data["models"].items()}


class MITalkDetector:
    """Change/sustain talk in client turns; reflections in therapist turns."""

    def __init__(self, lexicon: dict[str, Any], models: dict[str, LinearModel] | None = None) -> None:
        self._rules = compile_labels(lexicon)
        self._models = load_models() if models is None else models

    def _cues_by_sentence(self, doc: Document) -> dict[int, list[tuple[str, str]]]:
        found: dict[int, list[tuple[str, str]]] = {}
        for m in doc.index.matches(self._rules):
            cues = found.setdefault(m.sentence, [])
            if (m.rule.id, m.rule.payload) not in cues:
                cues.append((m.rule.id, m.rule.payload))
        return found

    def talk_labels(
        self, doc: Document, client_turns: Sequence[int], cues_of: dict[int, list[str]]
    ) -> tuple[list[str], list[float]] | None:
        """The model's reading of each client turn: (labels, probabilities of those labels), or
        None without a model."""
        model = self._models.get("client_talk")
        if model is None or not client_turns:
            return None
        features = []
        for t_idx in client_turns:
            prev_t = doc.previous_turn(t_idx, "therapist")
            previous = doc.turn_text(prev_t) if prev_t is not None else ""
            features.append(talk_features(doc.turn_text(t_idx), previous, cues_of[t_idx]))
        probs = model.predict_array(features)
        labels = model.decide(probs)
        column = {c: i for i, c in enumerate(model.classes)}
        return labels, [float(row[column[label]]) for row, label in zip(probs, labels, strict=True)]

    def change_talk(self, doc: Document, fired: set[str]) -> list[ChangeTalk]:
        """One item per client turn the model classes as change or sustain talk, plus one per
        sentence whose cue names the other kind (a turn can hold both: "I'd like to get back to
        weekends only. I don't see myself quitting completely, though.")."""
        out: list[ChangeTalk] = []
        by_sentence = self._cues_by_sentence(doc)
        client_turns = [t for t, turn in enumerate(doc.turns) if turn.role == "client"]
        cues_of = {
            t: [c for i in doc.turn_sentences[t] for c in by_sentence.get(i, [])] for t in client_turns
        }
        read = self.talk_labels(doc, client_turns, {t: [c for c, _ in cues] for t, cues in cues_of.items()})
        for n, t_idx in enumerate(client_turns):
            turn = doc.turns[t_idx]
            fired.update(c for c, _ in cues_of[t_idx])
            kind: str | None = None
            if read is not None:
                label, confidence = read[0][n], read[1][n]
                for talk in TALK_KINDS:
                    if label == talk:
                        kind = talk
                        out.append(
                            ChangeTalk(talk, (Evidence(turn.content_start, turn.end),), round(confidence, 3))
                        )
            for i in doc.turn_sentences[t_idx]:
                s = doc.sentences[i]
                cue_kinds = {cue_kind for _, cue_kind in by_sentence.get(i, [])}
                for talk in TALK_KINDS:
                    if talk != kind and talk in cue_kinds:
                        out.append(ChangeTalk(talk, (Evidence(s.start, s.end),)))
        return out

    def reflection_inputs(self, doc: Document) -> list[tuple[int, str, str, str | None]]:
        """Therapist turns that follow a client turn: (turn, its text, the client turn before,
        the client's answer after or None)."""
        out: list[tuple[int, str, str, str | None]] = []
        for t_idx, turn in enumerate(doc.turns):
            if turn.role != "therapist":
                continue
            prev_c = doc.previous_turn(t_idx, "client")
            if prev_c is None:
                continue
            next_c = doc.answer_turn(t_idx)
            out.append(
                (
                    t_idx,
                    doc.turn_text(t_idx),
                    doc.turn_text(prev_c),
                    doc.turn_text(next_c) if next_c is not None else None,
                )
            )
        return out

    def reflections(self, doc: Document) -> list[Evidence]:
        """Therapist turns that reflect the client's words back (MI's core listening skill)."""
        model = self._models.get("reflection")
        inputs = self.reflection_inputs(doc)
        if model is not None:
            probs = model.predict_array(
                [reflection_features(text, prev, nxt) for _, text, prev, nxt in inputs]
            )
            column = model.classes.index("reflection")
            chosen = [t for (t, *_), p in zip(inputs, probs, strict=True) if p[column] >= model.threshold]
        else:
            chosen = [t for t, text, previous, _ in inputs if _looks_like_reflection(text, previous)]
        return [Evidence(doc.turns[t].content_start, doc.turns[t].end) for t in chosen]


REFLECTION_START = re.compile(
    r"^\s*(?:so\b|you(?:'re|\s+are|\s+feel|'ve|\s+want|\s+don't)|it\s+sounds|sounds\s+like|it's\s+(?:the|a|like)|that\s+(?:stung|sounds)|on\s+one\s+hand)",
    re.IGNORECASE,
)


def _looks_like_reflection(text: str, previous: str) -> bool:
    """Fallback without the model: a statement (no question) that starts like a reflection or
    reuses the client's own words."""
    if "?" in text:
        return False
    if REFLECTION_START.match(text):
        return True
    words = [w for w in _words(text) if len(w) > 3]
    prev = set(_words(previous))
    return bool(words) and sum(w in prev for w in words) / len(words) >= 0.5


def window(items: Sequence[ChangeTalk]) -> dict[str, int]:
    """Counts by kind (a small helper for summaries and trends)."""
    counts = {"change": 0, "sustain": 0}
    for c in items:
        counts[c.kind] += 1
    return counts
