"""The README's example output is what the code prints (regenerate: scripts/update_readme.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_examples_match_the_code() -> None:
    spec = importlib.util.spec_from_file_location("update_readme", ROOT / "scripts" / "update_readme.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- generated:soap -->" in readme and "<!-- generated:girp -->" in readme
    assert module.refreshed(readme) == readme, "README examples are stale: run scripts/update_readme.py"
