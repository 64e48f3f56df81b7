"""``notewell score`` and ``notewell trends``: outcome measures from the command line.

::

    notewell score PHQ-9 2 2 1 2 1 1 2 1 1          # total, band, flags
    notewell score --json PCL-5 2 0 0 0 0 2 0 2 2 …  # {"instrument", "total", "band", "flags"}
    notewell trends examples/trends/*.yaml --json    # one client's sessions, any order
    notewell trends examples/trends/*.yaml --chart trends.svg
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def register(sub: Any) -> dict[str, Any]:
    """Add the measure commands to the ``notewell`` parser."""
    sc = sub.add_parser("score", help="score a completed form: PHQ-9, PHQ-2, GAD-7, GAD-2, PCL-5, C-SSRS…")
    sc.add_argument("instrument", metavar="INSTRUMENT", help="e.g. PHQ-9, GAD-7, PCL-5, C-SSRS")
    sc.add_argument("items", nargs="+", metavar="ITEM", help="the answers in item order")
    sc.add_argument("--json", action="store_true", help='print {"instrument", "total", "band", "flags"}')

    tr = sub.add_parser("trends", help="one client's measures, talk, skills and symptoms across sessions")
    tr.add_argument("files", nargs="+", metavar="FILE", help="the client's session files, in any order")
    tr.add_argument("--json", action="store_true", help="print one JSON object")
    tr.add_argument("--chart", metavar="PATH", type=Path, help="write a line chart (.svg or .png)")
    return {"score": _cmd_score, "trends": _cmd_trends}


def _cmd_score(args: argparse.Namespace, run: Any) -> None:
    from notewell.clinical.knowledge import Knowledge
    from notewell.config import Settings
    from notewell.services.measures import score_instrument

    instruments = Knowledge.load(Settings.from_env().rules_dir).instruments
    result = score_instrument(instruments, args.instrument, args.items)
    if args.json:
        row: dict[str, Any] = {
            "instrument": result.instrument,
            "total": result.total,
            "band": result.band,
            "flags": list(result.flags),
        }
        if result.clusters:
            row["clusters"] = {cid: {"symptoms": got, "needed": need} for cid, got, need in result.clusters}
        if result.triage is not None:
            row["triage"] = {"level": result.triage, "action": result.action}
        print(json.dumps(row, ensure_ascii=False), file=run.out)
        return
    if result.total is not None:
        line = f"{result.instrument} {result.total:g}" + (f" ({result.band})" if result.band else "")
    else:
        line = f"{result.instrument}: {result.triage} risk — {result.action}"
    print(line, file=run.out)
    for cid, got, need in result.clusters:
        print(f"  cluster {cid}: {got} symptom(s) at 2 or more, {need} needed", file=run.out)
    if result.flags:
        print("  flags: " + ", ".join(result.flags), file=run.out)


def _cmd_trends(args: argparse.Namespace, run: Any) -> None:
    from notewell.bootstrap import build
    from notewell.errors import InputError
    from notewell.exports.chart import render_chart
    from notewell.services.extraction import load_checked_session
    from notewell.services.measures import build_trends, trends_to_json

    app = build()
    sessions = []
    for source in args.files:
        try:
            sessions.append(
                load_checked_session(
                    source, app.knowledge.instruments, app.techniques, app.settings.max_input_bytes
                )
            )
        except InputError as exc:  # trends need every session: one bad file stops the command
            raise InputError(str(exc)) from None
    trends = build_trends(sessions, app.extractor, app.knowledge.instruments)
    if args.chart:
        render_chart(trends, app.knowledge.instruments, args.chart)
    data = trends_to_json(trends, app.knowledge.instruments)
    if args.json:
        print(json.dumps(data, ensure_ascii=False), file=run.out)
        return
    for name, points in data["measures"].items():
        series = ", ".join(
            f"{p['date']} {p['score']:g}" + (f" ({p['band']})" if p["band"] else "") for p in points
        )
        print(f"{name}: {series}", file=run.out)
        ch = data["changes"].get(name, {}).get("first_to_last")
        if ch:
            extra = [x for x, on in (("response", ch["response"]), ("remission", ch["remission"])) if on]
            verdict = ", ".join([ch["direction"], *extra])
            print(f"  first → last: {ch['delta']:+g} ({verdict})", file=run.out)
    for s in data["change_talk"]:
        print(f"{s['date']}: change talk {s['change']}, sustain talk {s['sustain']}", file=run.out)
    if args.chart:
        print(f"chart written to {args.chart}", file=run.out)
