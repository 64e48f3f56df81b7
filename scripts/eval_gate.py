"""`make eval`: score the dev set (and the public data) and fail below the floors.

The floors live in ``eval-floors.yaml`` and only ever go up: when a change improves a figure,
raise its floor in the same commit, so that no later change can quietly lose the gain.
Each floor names a figure by its path in the scorer's JSON report and a ``min`` or ``max``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def figure(report: dict[str, Any], path: str) -> Any:
    node: Any = report
    for part in path.split("."):
        node = node[part]
    if isinstance(node, str) and "/" in node:  # "40/40"
        a, b = node.split("/")
        return int(a) / int(b)
    if isinstance(node, list):
        return len(node)
    return node


def run(cmd: list[str]) -> dict[str, Any]:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
        raise SystemExit(f"eval: {' '.join(cmd[:3])}… failed (exit {proc.returncode})")
    return dict(json.loads(lines[-1]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared", type=Path)
    ap.add_argument("--floors", default="eval-floors.yaml", type=Path)
    args = ap.parse_args()
    shared = (ROOT / args.shared).resolve() if not args.shared.is_absolute() else args.shared
    cli = str(ROOT / ".venv/bin/notewell")
    floors = yaml.safe_load((ROOT / args.floors).read_text(encoding="utf-8"))
    reports: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        reports["dev"] = run(
            [
                sys.executable,
                str(shared / "eval/score.py"),
                "--cmd",
                cli,
                "--json-out",
                f"{tmp}/dev.json",
                str(shared / "eval/dev"),
            ]
        )
    reports["annomi"] = run(
        [
            sys.executable,
            str(shared / "eval/external.py"),
            "annomi",
            str(shared / "data/annomi/annomi-dev.csv"),
            "--cmd",
            cli,
        ]
    )
    reports["distortions"] = run(
        [
            sys.executable,
            str(shared / "eval/external.py"),
            "distortions",
            str(shared / "data/cbt-distortions/distortions_seed.json"),
            "--cmd",
            cli,
        ]
    )
    failures = []
    print(f"{'figure':58s} {'value':>8s} {'floor':>8s}")
    for source, checks in floors.items():
        for path, bound in checks.items():
            value = figure(reports[source], path)
            if "min" in bound:
                ok = value >= bound["min"]
                shown = f">= {bound['min']}"
            else:
                ok = value <= bound["max"]
                shown = f"<= {bound['max']}"
            mark = "ok " if ok else "LOW"
            print(f"{mark} {source + ':' + path:54s} {value!s:>8} {shown:>8}")
            if not ok:
                failures.append(f"{source}:{path} = {value} (floor {shown})")
    if reports["dev"].get("cli_errors"):
        failures.extend(f"cli error: {e}" for e in reports["dev"]["cli_errors"])
    if failures:
        print("\nevaluation below the floors:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("\nall figures at or above their floors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
