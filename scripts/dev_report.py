"""Developer aid: per-case detail of homework and quotes against the dev expectations."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")
    what = sys.argv[2] if len(sys.argv) > 2 else "homework"
    cases = sorted((shared / "eval/dev").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        expects = {}
        for c in cases:
            data = yaml.safe_load(c.read_text())
            expects[c.stem] = data.pop("expect", {})
            data.pop("id", None)
            f = Path(tmp) / f"{c.stem}.yaml"
            f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
            files.append(str(f))
        out = subprocess.run(
            [".venv/bin/notewell", "extract", "--json", *files], capture_output=True, text=True
        ).stdout
    for line in out.splitlines():
        row = json.loads(line)
        cid = Path(row["source"]).stem
        exp = expects[cid]
        if what == "homework" and "homework" in exp:
            got = [h["text"] for h in row["homework"]]
            groups = exp["homework"] or []
            matched = [any(all(w.lower() in g.lower() for w in grp) for grp in groups) for g in got]
            if not all(matched) or len(got) != len(groups):
                print(f"{cid} expected {groups}")
                for g, ok in zip(got, matched, strict=False):
                    print(f"   {'ok' if ok else 'FP'}  {g}")
        if what == "quotes" and "quotes" in exp:
            got = [q["text"] for q in row["quotes"]]
            missing = [q for q in exp["quotes"] if not any(q.lower() in g.lower() for g in got)]
            if missing:
                print(f"{cid} missing {missing}")
                for g in got:
                    print(f"    - {g}")
        if what == "distortions" and "distortions" in exp:
            got = sorted({d["type"] for d in row["distortions"]})
            if set(got) != set(exp["distortions"] or []):
                print(f"{cid} want {sorted(exp['distortions'] or [])} got {got}")


if __name__ == "__main__":
    main()
