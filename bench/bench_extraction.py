"""Extraction (and drafting) speed on synthetic transcripts of 1k, 5k, 10k and 20k words.

Prints, per size: median in-process time over several runs, words per second, and the peak
resident memory of the CLI extracting that file. Targets (issue 2/3): 10k words ≤ 100 ms
extraction on one core; 20k ≤ 2.2 × the 10k time; draft of 10k words ≤ 150 ms.

The transcripts are built deterministically from the bundled example sessions' turns (synthetic
data only), so figures are comparable between runs.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 5_000, 10_000, 20_000)


def source_turns() -> list[str]:
    """Speaker lines from the bundled examples (synthetic sessions)."""
    turns: list[str] = []
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for line in str(data.get("text", "")).splitlines():
            if line.strip():
                turns.append(line.strip() if line.strip()[:2] in ("T:", "C:") else f"C: {line.strip()}")
    return turns


def transcript(words: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    pool = source_turns()
    lines: list[str] = []
    count = 0
    while count < words:
        line = rng.choice(pool)
        lines.append(line)
        count += len(line.split())
    return "\n".join(lines) + "\n"


def time_it(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_peak_rss_mb(path: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [str(ROOT / ".venv/bin/notewell"), "extract", "--json", str(path)], check=True, capture_output=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    from notewell.bootstrap import build
    from notewell.domain.session import Session, SessionMeta

    app = build()
    extractor = app.extractor
    draft = None
    try:
        from notewell.services.drafting import draft_note

        def draft_fn(session: Session) -> None:
            draft_note(session, "soap", extractor, app.composer, app.reviewer)

        draft = draft_fn
    except ImportError:  # drafting arrives with the note issue
        pass
    extractor.extract(Session(source="warmup", text=transcript(500)))  # build the pipeline once
    print(f"{'words':>7} {'extract ms':>11} {'words/s':>10} {'draft ms':>9} {'CLI peak RSS MB':>16}")
    results: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            text = transcript(size)
            session = Session(source="bench", text=text, meta=SessionMeta(type="individual"))
            secs = time_it(lambda: extractor.extract(session), args.runs)  # noqa: B023
            results[size] = secs
            draft_ms = f"{time_it(lambda: draft(session), args.runs) * 1000:9.1f}" if draft else f"{'-':>9}"  # noqa: B023
            path = Path(tmp) / f"bench-{size}.yaml"
            path.write_text(
                yaml.safe_dump({"session": {"type": "individual"}, "text": text}), encoding="utf-8"
            )
            rss = cli_peak_rss_mb(path)
            print(f"{size:>7} {secs * 1000:11.1f} {size / secs:10.0f} {draft_ms} {rss:16.1f}")
    print(f"20k / 10k time ratio: {results[20_000] / results[10_000]:.2f} (target ≤ 2.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
