"""Train the shipped MI talk models on the AnnoMI dev half and export them as JSON weights.

Usage (needs the optional ``train`` extra: ``pip install -e .[train]``)::

    .venv/bin/python scripts/train_mi_models.py ../shared/data/annomi/annomi-dev.csv
    .venv/bin/python scripts/train_mi_models.py ../shared/data/annomi/annomi-dev.csv --no-cv  # fit only

Two models, over exactly what the runtime computes (each transcript is laid out as a session
file the way ``external.py annomi`` does it and read by the real extractor, so turns, features
and neighbours are the runtime's own):

* ``client_talk``: a client turn (with the therapist turn before it) → change / neutral / sustain,
  tf-idf + multinomial logistic regression with balanced class weights;
  then per-class offsets on its log-probabilities, tuned on out-of-fold probabilities for macro-F1;
* ``reflection``: a therapist turn (with the client turns before and after) → its main behaviour
  (reflection / question / therapist_input / other); a turn is a reflection when
  P(reflection) ≥ a tuned threshold.

Honest estimate: **nested** cross-validation grouped by transcript. The outer 5 folds only score;
every choice (C of each model, the offsets, the threshold) is made by an
inner grouped 4-fold CV on the outer training folds alone. Each outer fold's models are exported
to the runtime format and run through the real extractor on the held-out transcripts, which are
scored as ``external.py annomi`` scores them (so the figure includes the cue lexicon's additions
and the reflective-listening gate). Only the dev half (even transcript ids) is read.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from notewell.clinical.knowledge import Knowledge
from notewell.extraction.document import Document
from notewell.extraction.extractor import Extractor
from notewell.extraction.mi import LinearModel, MITalkDetector, reflection_features, talk_features
from notewell.session_files import parse_session

OUT = Path(__file__).resolve().parents[1] / "src/notewell/clinical/models/mi_talk.json"
TALK = ("change", "neutral", "sustain")
TALK_C = (0.25, 0.5, 1.0, 2.0)
REFLECTION_C = (0.5, 1.0, 3.0)
OFFSETS = [(float(a), float(b)) for a in np.arange(-1.0, 1.01, 0.25) for b in np.arange(-1.0, 1.51, 0.25)]
THRESHOLDS = np.arange(0.2, 0.71, 0.025)
NOISE = 0.01  # inner-CV differences smaller than this are not acted on (see select_and_fit)
MIN_WEIGHT = 0.01  # weights smaller than this are dropped from the file (they move no decision)


@dataclass
class Transcript:
    tid: str
    doc: Document
    spans: list[tuple[int, int, dict[str, str]]]  # utterance span in the text → its CSV row
    talk_turns: list[int]  # every client turn, in order
    talk_feats: list[dict[str, float]]
    talk_gold: list[str | None]  # None: a turn with no labelled utterance (not trained on)
    refl_turns: list[int]
    refl_feats: list[dict[str, float]]
    refl_gold: list[str | None]


def load(path: Path) -> dict[str, list[dict[str, str]]]:
    by_t: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_t[row["transcript_id"]].append(row)
    for rows in by_t.values():
        rows.sort(key=lambda r: int(r["utterance_id"]))
    return by_t


def build(by_t: dict[str, list[dict[str, str]]], ex: Extractor) -> list[Transcript]:
    """Each transcript as the session file ``external.py`` writes, read by the real extractor."""
    knowledge = ex.knowledge
    detector = MITalkDetector(knowledge.lexicon("change_talk"), models={})
    out = []
    for tid, rows in by_t.items():
        text, spans = "", []
        for r in rows:
            prefix = "T: " if r["interlocutor"] == "therapist" else "C: "
            start = len(text) + len(prefix)
            text += prefix + r["utterance_text"].strip() + "\n"
            spans.append((start, len(text) - 1, r))
        content = yaml.safe_dump({"session": {"type": "individual"}, "text": text}, sort_keys=False)
        doc = ex.document(parse_session(f"annomi-{tid}.yaml", content, knowledge.instruments))
        row_at = {a0: r for a0, _, r in spans}
        by_sentence = detector._cues_by_sentence(doc)
        talk_turns = [t for t, turn in enumerate(doc.turns) if turn.role == "client"]
        talk_feats, talk_gold = [], []
        for t in talk_turns:
            prev_t = doc.previous_turn(t, "therapist")
            cues = [c for i in doc.turn_sentences[t] for c, _ in by_sentence.get(i, [])]
            previous = doc.turn_text(prev_t) if prev_t is not None else ""
            talk_feats.append(talk_features(doc.turn_text(t), previous, cues))
            row = row_at.get(doc.turns[t].content_start)
            talk_gold.append(row["client_talk_type"] if row and row["interlocutor"] == "client" else None)
        refl_turns, refl_feats, refl_gold = [], [], []
        for t, this, prev, nxt in detector.reflection_inputs(doc):
            refl_turns.append(t)
            refl_feats.append(reflection_features(this, prev, nxt))
            row = row_at.get(doc.turns[t].content_start)
            refl_gold.append(
                row["main_therapist_behaviour"] if row and row["interlocutor"] == "therapist" else None
            )
        out.append(
            Transcript(tid, doc, spans, talk_turns, talk_feats, talk_gold, refl_turns, refl_feats, refl_gold)
        )
    return out


# ---------------------------------------------------------------- fitting


class Fitted:
    """A fitted tf-idf + logistic regression (scikit-learn), exportable to :class:`LinearModel`."""

    def __init__(self, feats: list[dict[str, float]], labels: list[str], c: float) -> None:
        self.vec = DictVectorizer()
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        x = self.tfidf.fit_transform(self.vec.fit_transform(feats))
        self.model = LogisticRegression(max_iter=3000, C=c, class_weight="balanced").fit(x, labels)
        self.c = c

    def proba(self, feats: list[dict[str, float]]) -> Any:
        return self.model.predict_proba(self.tfidf.transform(self.vec.transform(feats)))

    def export(self, **extra: Any) -> dict[str, Any]:
        classes = [str(c) for c in self.model.classes_]
        coef, intercept = self.model.coef_, self.model.intercept_
        if len(classes) == 2:  # binary: one row of weights for classes[1]; store both columns
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        weights: dict[str, list[float]] = {}
        idf: dict[str, float] = {}
        for j, name in enumerate(self.vec.feature_names_):
            idf[name] = round(float(self.tfidf.idf_[j]), 4)  # every feature: the l2 norm needs them all
            column = coef[:, j]
            if np.max(np.abs(column)) >= MIN_WEIGHT:
                weights[name] = [round(float(v), 4) for v in column]
        return {
            "classes": classes,
            "weights": weights,
            "intercept": [round(float(v), 4) for v in intercept],
            "idf": idf,
            "params": {"C": self.c, "class_weight": "balanced"},
            **extra,
        }


def macro_f1(gold: Any, pred: Any) -> float:
    return float(f1_score(gold, pred, average="macro", labels=list(TALK)))


def decide(probs: Any, classes: list[str], offsets: tuple[float, float]) -> Any:
    shift = np.array([{"change": offsets[0], "sustain": offsets[1]}.get(c, 0.0) for c in classes])
    return np.array(classes)[(np.log(np.clip(probs, 1e-12, 1.0)) + shift).argmax(axis=1)]


def talk_rows(ts: list[Transcript]) -> tuple[list[dict[str, float]], list[str], list[str]]:
    feats, gold, groups = [], [], []
    for t in ts:
        for f, g in zip(t.talk_feats, t.talk_gold, strict=True):
            if g in TALK:
                feats.append(f)
                gold.append(g)
                groups.append(t.tid)
    return feats, gold, groups


def oof_talk(ts: list[Transcript], c: float) -> list[Any]:
    """Out-of-fold per-turn probabilities for every client turn of ``ts`` (grouped 4-fold)."""
    out: list[Any] = [None] * len(ts)
    for train, test in GroupKFold(n_splits=4).split(ts, groups=[t.tid for t in ts]):
        feats, gold, _ = talk_rows([ts[i] for i in train])
        model = Fitted(feats, gold, c)
        for i in test:
            out[i] = model.proba(ts[i].talk_feats)
    return out


def refl_rows(ts: list[Transcript]) -> tuple[list[dict[str, float]], list[str], list[str]]:
    feats, gold, groups = [], [], []
    for t in ts:
        for f, g in zip(t.refl_feats, t.refl_gold, strict=True):
            if g is not None:
                feats.append(f)
                gold.append(g)
                groups.append(t.tid)
    return feats, gold, groups


def fit_reflection(ts: list[Transcript]) -> tuple[dict[str, Any], float, dict[str, float]]:
    """Therapist behaviour model; C and the reflection threshold chosen by grouped 4-fold CV."""
    feats, gold, groups = refl_rows(ts)
    labels = np.array(gold)
    results: list[tuple[float, float, float]] = []
    for c in REFLECTION_C:
        p = np.zeros(len(labels))
        for train, test in GroupKFold(n_splits=4).split(feats, labels, groups):
            model = Fitted([feats[i] for i in train], list(labels[train]), c)
            column = list(model.model.classes_).index("reflection")
            p[test] = model.proba([feats[i] for i in test])[:, column]
        results.append(
            max((float(f1_score(labels == "reflection", p >= th)), c, float(th)) for th in THRESHOLDS)
        )
    top = max(r[0] for r in results)
    score, c, th = min((r for r in results if r[0] >= top - NOISE), key=lambda r: r[1])  # as for client talk
    spec = Fitted(feats, gold, c).export(threshold=round(th, 3))
    return spec, score, {"C": c, "threshold": round(th, 3)}


def select_and_fit(ts: list[Transcript], log: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every choice made on ``ts`` alone; returns the two model specs and what was chosen."""
    gold = np.array([g for t in ts for g in t.talk_gold if g in TALK])
    results: list[tuple[float, float, tuple[float, float]]] = []
    for c in TALK_C:
        probs = oof_talk(ts, c)
        oof = np.vstack([p[[g in TALK for g in t.talk_gold]] for t, p in zip(ts, probs, strict=True)])
        scores = {o: macro_f1(gold, decide(oof, list(TALK), o)) for o in OFFSETS}
        # the best offsets; on a tie the smallest (no shift is the default belief), and none at all
        # unless they gain at least NOISE: a smaller gain is noise across 67 transcripts, and a
        # shift fitted to AnnoMI's mix of talk types need not suit a clinic's sessions
        off = max(OFFSETS, key=lambda o: (round(scores[o], 6), -abs(o[0]) - abs(o[1])))
        if scores[off] < scores[(0.0, 0.0)] + NOISE:
            off = (0.0, 0.0)
        if log:
            plain, tuned = scores[(0.0, 0.0)], scores[off]
            print(f"  client_talk C={c}: inner-CV macro-F1 {plain:.3f}, {tuned:.3f} with offsets {off}")
        results.append((scores[off], c, off))
    # the smallest C (the strongest regularisation) within NOISE of the best: differences that small
    # are noise across 67 transcripts, and a simpler model overfits less
    top = max(r[0] for r in results)
    off_score, talk_c, off = min((r for r in results if r[0] >= top - NOISE), key=lambda r: r[1])
    feats, labels, _ = talk_rows(ts)
    offsets = [round(float({"change": off[0], "sustain": off[1]}.get(k, 0.0)), 3) for k in TALK]
    talk = Fitted(feats, labels, talk_c).export(offsets=offsets)
    reflection, refl_score, refl_params = fit_reflection(ts)
    chosen = {
        "client_talk": {"C": talk_c, "offsets": offsets, "inner_cv_macro_f1": round(off_score, 3)},
        "reflection": {**refl_params, "inner_cv_f1": round(refl_score, 3)},
    }
    if log:
        print(f"  chosen: {json.dumps(chosen)}")
    return {"client_talk": talk, "reflection": reflection}, chosen


# ---------------------------------------------------------------- scoring as external.py does


def runtime_models(specs: dict[str, Any]) -> dict[str, LinearModel]:
    """The specs as the runtime reads them (round-tripped through JSON, pruned weights and all)."""
    return {name: LinearModel.from_json(s) for name, s in json.loads(json.dumps(specs)).items()}


def overlap(a0: int, a1: int, spans: list[Any]) -> int:
    return max([min(a1, e.end) - max(a0, e.start) for e in spans] + [0])


def score(ex: Extractor, ts: list[Transcript], models: dict[str, LinearModel]) -> dict[str, Any]:
    """Counts at two levels, with ``models`` in place of the shipped ones:

    * ``extractor``: the whole extractor, counted as ``external.py annomi`` counts (a client
      utterance takes the kind whose evidence overlaps it most, neutral if none; a therapist
      utterance is a reflection when reflective-listening evidence overlaps it). This includes
      the cue lexicon's sentence additions and the interventions' reflective-listening gate.
    * ``model``: the models alone (each client turn's label; every therapist turn the detector
      calls a reflection), which is what the training can change."""
    saved = ex.mi
    detector = MITalkDetector(ex.knowledge.lexicon("change_talk"), models=models)
    ex.mi = detector
    counts: dict[str, Any] = {
        level: {"confusion": Counter(), "reflection": Counter()} for level in ("extractor", "model")
    }
    try:
        for t in ts:
            facts = ex.extract(t.doc.session)
            talk = {k: [e for c in facts.change_talk if c.kind == k for e in c.evidence] for k in TALK}
            refl_spans = [
                e for i in facts.interventions if i.technique == "reflective_listening" for e in i.evidence
            ]
            by_sentence = detector._cues_by_sentence(t.doc)
            cues = {
                u: [c for i in t.doc.turn_sentences[u] for c, _ in by_sentence.get(i, [])]
                for u in t.talk_turns
            }
            read = detector.talk_labels(t.doc, t.talk_turns, cues)
            label_at = {
                t.doc.turns[u].content_start: lab
                for u, lab in zip(t.talk_turns, read[0] if read else [], strict=False)
            }
            model_refl = detector.reflections(t.doc)
            for a0, a1, r in t.spans:
                if r["interlocutor"] == "client":
                    scores = {k: overlap(a0, a1, talk[k]) for k in ("change", "sustain")}
                    pred = max(scores, key=lambda k: scores[k]) if max(scores.values()) > 0 else "neutral"
                    if r["client_talk_type"] in TALK:
                        counts["extractor"]["confusion"][(r["client_talk_type"], pred)] += 1
                        counts["model"]["confusion"][
                            (r["client_talk_type"], label_at.get(a0, "neutral"))
                        ] += 1
                else:
                    gold = r["main_therapist_behaviour"] == "reflection"
                    for level, spans in (("extractor", refl_spans), ("model", model_refl)):
                        hit = overlap(a0, a1, spans) > 0
                        counts[level]["reflection"][
                            "tp" if gold and hit else "fp" if hit else "fn" if gold else "tn"
                        ] += 1
    finally:
        ex.mi = saved
    return counts


def figures(counts: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for level, c in counts.items():
        conf, refl = c["confusion"], c["reflection"]
        per = {}
        for k in TALK:
            tp = conf[(k, k)]
            fp = sum(conf[(g, k)] for g in TALK) - tp
            fn = sum(conf[(k, p)] for p in TALK) - tp
            per[k] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        tp, fp, fn = refl["tp"], refl["fp"], refl["fn"]
        out[level] = {
            "client_talk_macro_f1": round(sum(per.values()) / 3, 3),
            "client_talk_f1": {k: round(v, 3) for k, v in per.items()},
            "reflection_f1": round(2 * tp / (2 * tp + fp + fn), 3) if tp else 0.0,
        }
    return out


def nested_cv(ex: Extractor, ts: list[Transcript]) -> dict[str, Any]:
    total: dict[str, Any] = {
        level: {"confusion": Counter(), "reflection": Counter()} for level in ("extractor", "model")
    }
    for k, (train, test) in enumerate(GroupKFold(n_splits=5).split(ts, groups=[t.tid for t in ts])):
        specs, chosen = select_and_fit([ts[i] for i in train])
        counts = score(ex, [ts[i] for i in test], runtime_models(specs))
        for level, c in counts.items():
            total[level]["confusion"].update(c["confusion"])
            total[level]["reflection"].update(c["reflection"])
        print(f"  outer fold {k + 1}: {json.dumps(figures(counts))}  chosen {json.dumps(chosen)}", flush=True)
    return figures(total)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("csv", type=Path, help="the AnnoMI dev half (annomi-dev.csv)")
    ap.add_argument("--no-cv", action="store_true", help="skip the nested cross-validation (fit only)")
    ap.add_argument("--out", type=Path, default=OUT, help=f"where to write the model (default {OUT})")
    args = ap.parse_args()
    if not args.csv.is_file():
        ap.error(f"csv: {args.csv} is not a file (expected the AnnoMI dev half, annomi-dev.csv)")
    try:
        by_t = load(args.csv)
        ids = sorted(by_t, key=int)
    except (KeyError, ValueError, UnicodeDecodeError) as exc:
        ap.error(f"csv: {args.csv} is not AnnoMI-simple.csv rows (transcript_id, utterance_id, …): {exc!r}")
    if any(int(t) % 2 for t in ids):
        ap.error(
            "csv: expected only the AnnoMI dev half (even transcript ids); the held-out half is never read"
        )
    ex = Extractor(Knowledge.load())
    ts = build(by_t, ex)
    cv: dict[str, Any] | None = None
    if not args.no_cv:
        print("nested grouped cross-validation (outer 5 folds score; inner 4 folds choose):")
        cv = nested_cv(ex, ts)
        print(f"held-out estimate: {json.dumps(cv)}")
    print("final models, choices by grouped 4-fold CV on all 67 transcripts:")
    specs, chosen = select_and_fit(ts, log=True)
    in_sample = figures(score(ex, ts, runtime_models(specs)))
    print(f"in-sample (the model has seen these transcripts; not an estimate): {json.dumps(in_sample)}")
    n_talk = sum(1 for t in ts for g in t.talk_gold if g in TALK)
    n_refl = sum(1 for t in ts for g in t.refl_gold if g is not None)
    out = {
        "provenance": {
            "data": "AnnoMI (uccollab/AnnoMI, AnnoMI-simple.csv), dev half only: even transcript ids",
            "file_sha256": hashlib.sha256(args.csv.read_bytes()).hexdigest(),
            "transcripts": len(ids),
            "client_utterances": n_talk,
            "therapist_utterances": n_refl,
            "method": (
                "client_talk: tf-idf (sublinear, l2) + multinomial logistic regression, balanced class"
                " weights, per-class log-probability offsets tuned on out-of-fold probabilities;"
                " reflection: tf-idf + multinomial logistic regression over therapist behaviour, thresholded"
                " (scikit-learn; features from notewell.extraction.mi)"
            ),
            "chosen": chosen,
            "cross_validation": {
                "scheme": (
                    "nested: outer GroupKFold(5) by transcript scored through the extractor as external.py"
                    " annomi scores; every choice by inner GroupKFold(4) on the outer training folds"
                ),
                **(
                    {
                        "client_talk_macro_f1": cv["extractor"]["client_talk_macro_f1"],
                        "reflection_f1": cv["extractor"]["reflection_f1"],
                        "models_alone": {
                            "client_talk_macro_f1": cv["model"]["client_talk_macro_f1"],
                            "reflection_f1": cv["model"]["reflection_f1"],
                        },
                    }
                    if cv
                    else {"not_run": True}
                ),
            },
            "in_sample": in_sample,
        },
        "models": specs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    sizes = {k: len(v["weights"]) for k, v in specs.items()}
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes; weights kept {sizes})")


if __name__ == "__main__":
    main()
