"""A client's measures over time as a picture (``notewell trends --chart PATH``).

One panel per instrument: the scores as a line over their dates, the severity bands shaded
behind it (lighter for milder), the screening cut-off as a dashed line, and a ring around each
score that is a reliable change from the first score or the one before (PHQ-9 6 points, GAD-7 4,
PCL-5 10). A last
panel shows readiness to change: change talk and sustain talk per session. Written with
matplotlib (no display needed); ``.svg`` or ``.png`` by the file name.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from notewell.domain.measures import change
from notewell.errors import UsageError
from notewell.services.measures import Trends

BAND_COLOURS = ("#e8f5e9", "#fff8e1", "#ffe0b2", "#ffccbc", "#ffcdd2")
"""Light to dark: minimal → severe (never the only cue: bands are labelled too)."""


def render_chart(trends: Trends, instruments: Mapping[str, Mapping[str, Any]], path: Path) -> None:
    """Write the chart; the format follows the extension (.svg or .png)."""
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise UsageError(f"{path}: --chart needs a .svg or .png file name")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    names = [n for n, points in trends.series.items() if points]
    talk = any(s.change_talk or s.sustain_talk for s in trends.sessions)
    panels = len(names) + (1 if talk else 0)
    if panels == 0:
        raise UsageError(f"{path}: nothing to chart — no scores and no change talk in these sessions")
    plt.rcParams.update({"svg.hashsalt": "notewell", "font.size": 9})  # same input, same SVG
    fig, axes = plt.subplots(panels, 1, figsize=(7.5, 2.4 * panels), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=False):
        spec = instruments.get(name, {})
        points = trends.series[name]
        low, high = spec.get("range", [0, max(p.score for p in points)])
        for i, b in enumerate(spec.get("bands", [])):
            colour = BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)]
            ax.axhspan(b["min"] - 0.5 if i else low, b["max"] + 0.5, color=colour, zorder=0)
            ax.text(
                1.01,
                (b["min"] + b["max"]) / 2,
                b["label"],
                transform=ax.get_yaxis_transform(),
                fontsize=7,
                va="center",
                color="#555555",
            )
        cut = spec.get("screen_positive_at")
        if cut is not None:
            ax.axhline(cut, color="#b71c1c", linestyle="--", linewidth=1, label=f"cut-off {cut:g}")
        dates = [p.date for p in points]
        scores = [p.score for p in points]
        ax.plot(dates, scores, color="#1a237e", marker="o", linewidth=1.8, label=name, zorder=3)
        for prev, cur in itertools.pairwise(points):
            # ringed: a reliable change from the first score (the baseline) or from the one before
            if (
                change(points[0].score, cur.score, spec).reliable
                or change(prev.score, cur.score, spec).reliable
            ):
                ax.scatter(
                    [cur.date],
                    [cur.score],
                    s=170,
                    facecolors="none",
                    edgecolors="#00897b",
                    linewidths=2,
                    zorder=4,
                    label="reliable change",
                )
        for d, s in zip(dates, scores, strict=True):
            ax.annotate(f"{s:g}", (d, s), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
        ax.set_ylim(low, high)
        ax.set_ylabel(name)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        ax.legend(unique.values(), unique.keys(), loc="upper right", fontsize=7, frameon=False)
    if talk:
        ax = axes[-1, 0]
        dates = [s.date for s in trends.sessions if s.date]
        ax.bar(
            dates,
            [s.change_talk for s in trends.sessions if s.date],
            width=2.5,
            color="#2e7d32",
            label="change talk",
        )
        ax.bar(
            dates,
            [-s.sustain_talk for s in trends.sessions if s.date],
            width=2.5,
            color="#c62828",
            label="sustain talk",
        )
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_ylabel("client talk")
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    fig.autofmt_xdate()
    fig.suptitle("Measures over time (shaded: severity bands; dashed: screening cut-off)", fontsize=10)
    fig.tight_layout()
    metadata = {"Date": None} if suffix == ".svg" else {"Software": None}
    fig.savefig(path, format=suffix[1:], metadata=metadata, dpi=110)
    plt.close(fig)
