"""Train the shipped MI talk models on the AnnoMI dev half and export them as JSON weights.

Usage (needs the optional ``train`` extra: ``pip install -e .[train]``)::

    .venv/bin/python scripts/train_mi_models.py ../shared/data/annomi/annomi-dev.csv

Two multinomial logistic regressions, over the same features the runtime computes
(:func:`notewell.extraction.mi.talk_features` and :func:`reflection_features`):

* ``client_talk``: a client utterance (with the therapist turn before it) → change / neutral / sustain;
* ``reflection``: a therapist utterance (with the client turn before it) → reflection / other.

Hyper-parameters are chosen by 5-fold cross-validation grouped by transcript (no transcript is
ever in both the training and the validation fold); the figures printed are those held-out
folds' scores. Only the dev half (even transcript ids) is used; the held-out half is never read.
The weights are written to ``src/notewell/clinical/models/mi_talk.json`` with their provenance.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from notewell.clinical.knowledge import Knowledge
from notewell.extraction.cues import compile_labels
from notewell.extraction.mi import reflection_features, talk_features

OUT = Path(__file__).resolve().parents[1] / "src/notewell/clinical/models/mi_talk.json"


def load(path: Path) -> dict[str, list[dict[str, str]]]:
    by_t: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_t[row["transcript_id"]].append(row)
    for rows in by_t.values():
        rows.sort(key=lambda r: int(r["utterance_id"]))
    return by_t


def examples(by_t: dict[str, list[dict[str, str]]]) -> tuple[list[Any], list[Any]]:
    rules = compile_labels(Knowledge.load().lexicon("change_talk"))
    talk, refl = [], []
    for tid, rows in by_t.items():
        last_t, last_c = "", ""
        for r in rows:
            text = r["utterance_text"].strip()
            if r["interlocutor"] == "client":
                cues = [rule.id for rule in rules if rule.regex.search(text)]
                talk.append((talk_features(text, last_t, cues), r["client_talk_type"], tid))
                last_c = text
            else:
                refl.append(
                    (
                        reflection_features(text, last_c),
                        "reflection" if r["main_therapist_behaviour"] == "reflection" else "other",
                        tid,
                    )
                )
                last_t = text
    return talk, refl


def cross_validate(
    data: list[Any], grid: list[dict[str, Any]], average: str, positive: str | None
) -> tuple[dict[str, Any], float]:
    feats = [d[0] for d in data]
    labels = np.array([d[1] for d in data])
    groups = np.array([d[2] for d in data])
    best: tuple[dict[str, Any], float] = ({}, -1.0)
    for params in grid:
        preds = np.empty_like(labels)
        for train, test in GroupKFold(n_splits=5).split(feats, labels, groups):
            vec = DictVectorizer()
            tfidf = TfidfTransformer(sublinear_tf=True)
            x_train = tfidf.fit_transform(vec.fit_transform([feats[i] for i in train]))
            model = LogisticRegression(max_iter=3000, **params)
            model.fit(x_train, labels[train])
            preds[test] = model.predict(tfidf.transform(vec.transform([feats[i] for i in test])))
        if positive:
            score = f1_score(labels == positive, preds == positive)
        else:
            score = f1_score(labels, preds, average=average)
        print(f"  {params} -> {score:.3f}")
        if score > best[1]:
            best = (params, score)
    return best


def fit_export(data: list[Any], params: dict[str, Any], min_weight: float) -> dict[str, Any]:
    vec = DictVectorizer()
    tfidf = TfidfTransformer(sublinear_tf=True)
    x = tfidf.fit_transform(vec.fit_transform([d[0] for d in data]))
    y = [d[1] for d in data]
    model = LogisticRegression(max_iter=3000, **params)
    model.fit(x, y)
    classes = [str(c) for c in model.classes_]
    coef = model.coef_
    intercept = model.intercept_
    if len(classes) == 2:  # binary: one row of weights for classes[1]; store both columns
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    weights: dict[str, list[float]] = {}
    idf: dict[str, float] = {}
    for j, name in enumerate(vec.feature_names_):
        idf[name] = round(float(tfidf.idf_[j]), 4)  # every feature: the l2 norm needs them all
        column = coef[:, j]
        if np.max(np.abs(column)) >= min_weight:
            weights[name] = [round(float(v), 4) for v in column]
    return {
        "classes": classes,
        "weights": weights,
        "intercept": [round(float(v), 4) for v in intercept],
        "idf": idf,
        "params": params,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", type=Path)
    args = ap.parse_args()
    by_t = load(args.csv)
    ids = sorted(by_t, key=int)
    if any(int(t) % 2 for t in ids):
        raise SystemExit("expected only the AnnoMI dev half (even transcript ids)")
    talk, refl = examples(by_t)
    grid_talk = [{"C": c, "class_weight": w} for c in (0.3, 1.0, 3.0) for w in (None, "balanced")]
    print("client talk (macro-F1, grouped 5-fold CV):")
    talk_params, talk_cv = cross_validate(talk, grid_talk, "macro", None)
    grid_refl = [{"C": c, "class_weight": w} for c in (0.3, 1.0, 3.0) for w in (None, "balanced")]
    print("reflection (F1, grouped 5-fold CV):")
    refl_params, refl_cv = cross_validate(refl, grid_refl, "binary", "reflection")
    digest = hashlib.sha256(args.csv.read_bytes()).hexdigest()
    out = {
        "provenance": {
            "data": "AnnoMI (uccollab/AnnoMI, AnnoMI-simple.csv), dev half only: even transcript ids",
            "file_sha256": digest,
            "transcripts": len(ids),
            "client_utterances": len(talk),
            "therapist_utterances": len(refl),
            "method": (
                "tf-idf (sublinear, l2) + multinomial logistic regression (scikit-learn)"
                " over notewell.extraction.mi features"
            ),
            "cross_validation": {
                "scheme": "GroupKFold(5) by transcript",
                "client_talk_macro_f1": round(talk_cv, 3),
                "reflection_f1": round(refl_cv, 3),
            },
        },
        "models": {
            "client_talk": fit_export(talk, talk_params, 0.01),
            "reflection": fit_export(refl, refl_params, 0.01),
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    sizes = {k: len(v["weights"]) for k, v in out["models"].items()}
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes; features kept {sizes})")


if __name__ == "__main__":
    main()
