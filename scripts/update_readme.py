"""Refresh the example notes and example extraction shown in README.md from the code.

The README shows real output: a SOAP, a DAP and a GIRP note drafted from the bundled example
sessions, and one extraction. Each sits between ``<!-- generated:NAME -->`` and
``<!-- /generated -->`` markers; this script redraws them. ``tests/unit/test_readme.py`` fails
when the README has drifted from what the code produces.

    .venv/bin/python scripts/update_readme.py
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from notewell.bootstrap import build  # noqa: E402
from notewell.exports.text import facts_to_text, note_to_markdown  # noqa: E402
from notewell.services.drafting import draft_note  # noqa: E402
from notewell.services.extraction import load_checked_session  # noqa: E402

BLOCKS = {
    "extract": ("examples/cbt-depression-shorthand.yaml", None),
    "soap": ("examples/cbt-depression-shorthand.yaml", "soap"),
    "dap": ("examples/mi-cannabis-transcript.yaml", "dap"),
    "girp": ("examples/family-community-transcript.yaml", "girp"),
}
MARKER = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- /generated -->)", re.S)


def render(name: str) -> str:
    """The README block ``name``, as the code produces it now."""
    app = build()
    path, fmt = BLOCKS[name]
    session = load_checked_session(
        str(ROOT / path), app.knowledge.instruments, app.techniques, app.settings.max_input_bytes
    )
    session = replace(session, source=path)
    if fmt is None:
        facts = app.extractor.extract(session)
        body = facts_to_text(path, session, facts)
        return f"```text\n$ notewell extract {path}\n{body.rstrip()}\n```\n"
    note = draft_note(session, fmt, app.extractor, app.composer, app.reviewer)
    head = f"`notewell draft --format {fmt} {path}` prints:\n\n"
    return head + note_to_markdown(path, session, note).rstrip() + "\n"


def refreshed(readme: str) -> str:
    return MARKER.sub(lambda m: m.group(1) + render(m.group(2)) + m.group(4), readme)


def main() -> int:
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    new = refreshed(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print("README.md updated")
    else:
        print("README.md already current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
