"""Developer aid: show what the extractor found for one dev case (statements, rules fired)."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from notewell.bootstrap import build
from notewell.session_files import parse_session


def main() -> None:
    path = Path(sys.argv[1])
    data = yaml.safe_load(path.read_text())
    data.pop("expect", None)
    data.pop("id", None)
    app = build()
    session = parse_session(
        str(path), yaml.safe_dump(data, sort_keys=False, allow_unicode=True), app.knowledge.instruments
    )
    ex = app.extractor
    facts = ex.extract(session)
    text = session.text
    what = sys.argv[2] if len(sys.argv) > 2 else "risk"
    if what == "risk":
        for key, f in facts.risk.items():
            print(f"{key}: {f.value}")
            for s in f.statements:
                ev = " | ".join(text[e.start : e.end] for e in s.evidence)
                print(f"    {s.value:10s} {s.source:9s} {s.rule}: {ev[:120]!r}")
    elif what == "turns":
        for t in facts.turns:
            print(t.role, t.speaker, repr(text[t.content_start : t.end][:80]))
    elif what == "sentences":
        for s in facts.sentences:
            print(s.role, s.section, repr(text[s.start : s.end][:100]))
    else:
        items = getattr(facts, what)
        for item in items:
            ev = getattr(item, "evidence", ())
            shown = " | ".join(text[e.start : e.end] for e in ev)[:200] if ev else ""
            print({k: v for k, v in item.__dict__.items() if k != "evidence"}, "<-", repr(shown))
    print("fired:", sorted(facts.fired_rules))


if __name__ == "__main__":
    main()
