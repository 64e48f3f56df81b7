"""Human-readable renderings for the terminal: extracted facts, notes as Markdown, rules in effect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from notewell.clinical.knowledge import Knowledge
from notewell.domain.facts import Facts
from notewell.domain.notes import Note
from notewell.domain.session import Session


def _snippet(text: str, start: int, end: int, width: int = 90) -> str:
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= width else piece[: width - 1] + "…"


def facts_to_text(source: str, session: Session, facts: Facts) -> str:
    """A readable summary of what was extracted, each item with the words it came from."""
    text = session.text
    lines = [f"== {source}"]
    lines.append("Risk:")
    for key, f in facts.risk.items():
        where = f'  ← "{_snippet(text, f.evidence[0].start, f.evidence[0].end, 60)}"' if f.evidence else ""
        via = f" [{', '.join(f.sources)}]" if f.sources and f.sources != ("text",) else ""
        lines.append(f"  {key:24s} {f.value}{via}{where}")
    if facts.interventions:
        lines.append("Interventions:")
        for i in facts.interventions:
            ev = i.evidence[0] if i.evidence else None
            where = f'  ← "{_snippet(text, ev.start, ev.end, 60)}"' if ev else " [checklist]"
            lines.append(f"  {i.technique} ({i.modality}){where}")
    if facts.homework:
        lines.append("Homework:")
        lines.extend(f"  - {h.text}" for h in facts.homework)
    if facts.measures:
        lines.append("Measures:")
        lines.extend(f"  {m.instrument} {m.score:g} [{m.source}]" for m in facts.measures)
    if facts.quotes:
        lines.append("Quotes:")
        lines.extend(f'  "{q.text}"' for q in facts.quotes)
    if facts.distortions:
        lines.append("Distortions:")
        for d in facts.distortions:
            lines.append(f'  {d.type}: "{_snippet(text, d.evidence[0].start, d.evidence[0].end, 70)}"')
    if facts.change_talk:
        change = sum(1 for c in facts.change_talk if c.kind == "change")
        lines.append(f"Change talk: {change} change, {len(facts.change_talk) - change} sustain")
    if facts.symptoms:
        lines.append("Symptoms:")
        for s in facts.symptoms:
            detail = ", ".join(x for x in (s.frequency, s.intensity, s.duration) if x)
            lines.append(f"  {s.name}{' (denied)' if s.negated else ''}{': ' + detail if detail else ''}")
    return "\n".join(lines)


def rules_to_text(knowledge: Knowledge, only: str | None, rules_dir: Path | None) -> str:
    """The rules in effect, one line each: id and pattern (with the override folder named)."""
    lines = [f"rules override folder: {rules_dir if rules_dir else '(none; NOTEWELL_RULES_DIR not set)'}"]
    for name in sorted(knowledge.lexicons):
        if only and name != only:
            continue
        lines.append(f"\n[{name}]")
        lines.extend(_rule_lines(knowledge.lexicons[name]))
    if not only:
        lines.append("\n[instruments]")
        lines.extend(f"{i}: {spec['name']}" for i, spec in sorted(knowledge.instruments.items()))
    return "\n".join(lines)


def _rule_lines(data: Any, prefix: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(data, dict):
        if "id" in data and ("pattern" in data or "cues" in data):
            label = f"{prefix}{data['id']}"
            if "pattern" in data:
                out.append(f"{label}: {data['pattern']}")
            for cue in data.get("cues", []):
                out.append(f"{label}/{cue['id']}: {cue['pattern']}")
            return out
        for key, value in data.items():
            out.extend(_rule_lines(value, f"{prefix}{key}." if isinstance(value, (dict, list)) else prefix))
    elif isinstance(data, list):
        for item in data:
            out.extend(_rule_lines(item, prefix))
    return out


def note_to_markdown(source: str, session: Session, note: Note) -> str:
    """A draft as Markdown: sections, sentences, then the nudges with their fixes."""
    meta = session.meta
    kind = note.title if note.title.lower().endswith(("note", "summary")) else f"{note.title} note"
    lines = [f"# {kind} — draft", ""]
    if meta.date:
        lines.append(
            f"_Source: {source}; date of service {meta.date.isoformat()}. "
            "Draft for clinician review — not signed._"
        )
    else:
        lines.append(f"_Source: {source}. Draft for clinician review — not signed._")
    for section in note.sections:
        lines += ["", f"## {section.title}", ""]
        lines += [s.text for s in section.sentences]
    if note.nudges:
        lines += ["", "## Before you sign", ""]
        for n in note.nudges:
            lines.append(f"- **{n.code}** ({n.severity}): {n.message} _Fix:_ {n.fix}")
    return "\n".join(lines) + "\n"
