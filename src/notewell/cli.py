"""The ``notewell`` command line: parse arguments, call a service, print.

Bad input never produces a traceback: each bad file gets one line on stderr naming the file
and field, the other files are still processed, and the exit code is 2. No session text is
ever printed in an error (it is PHI).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from notewell import __version__
from notewell.errors import ConfigurationError, InputError, NotewellError, UsageError

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2
EXIT_CONFIG = 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="notewell",
        description="Therapy progress notes from session input, with evidence for every sentence.",
    )
    p.add_argument("--version", action="version", version=f"notewell {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ex = sub.add_parser("extract", help="extract risk, interventions, homework, measures… from session files")
    ex.add_argument("files", nargs="+", metavar="FILE", help="session files (.yaml or .txt); - reads stdin")
    ex.add_argument("--json", action="store_true", help="print JSON Lines (eval/SCHEMA.md §2)")

    dr = sub.add_parser("draft", help="draft a progress note in a format")
    dr.add_argument("files", nargs="+", metavar="FILE")
    dr.add_argument(
        "--format",
        default="auto",
        help="soap, dap, birp, girp, pirp, narrative, intake, crisis, "
        "discharge, or auto (from session type and setting)",
    )
    dr.add_argument("--json", action="store_true", help="print JSON Lines (eval/SCHEMA.md §2)")

    rules = sub.add_parser("rules", help="show the clinical rules in effect")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION")
    show = rules_sub.add_parser("show", help="list the rules in effect (shipped plus NOTEWELL_RULES_DIR)")
    show.add_argument("lexicon", nargs="?", help="one lexicon, e.g. risk_targets or interventions")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        EXTRA_COMMANDS.update(module.register(sub))
    return p


COMMAND_MODULES: tuple[str, ...] = (
    "notewell.cli_measures",
    "notewell.cli_record",
    "notewell.cli_web",
    "notewell.cli_demo",
)
"""Modules that add commands: each has ``register(subparsers) -> {command: handler}``, where a
handler is called as ``handler(args, run)`` like the built-in ones (and imports what it needs
inside, so that ``notewell extract`` stays quick to start)."""
EXTRA_COMMANDS: dict[str, Callable[[argparse.Namespace, Any], None]] = {}


class _Run:
    """Runs one command over many files, turning bad files into one-line errors."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.failed = False

    def each(self, files: Sequence[str], work: Callable[[str], None]) -> None:
        for source in files:
            try:
                work(source)
            except InputError as exc:
                self.failed = True
                print(f"notewell: {exc}", file=self.err)


def _cmd_extract(args: argparse.Namespace, run: _Run) -> None:
    from notewell.bootstrap import build
    from notewell.exports.contract import facts_to_json
    from notewell.exports.text import facts_to_text
    from notewell.services.extraction import extract_facts, load_checked_session

    app = build()

    def work(source: str) -> None:
        session = load_checked_session(
            source, app.knowledge.instruments, app.techniques, app.settings.max_input_bytes
        )
        facts = extract_facts(session, app.extractor)
        if args.json:
            print(json.dumps(facts_to_json(source, facts), ensure_ascii=False), file=run.out)
        else:
            print(facts_to_text(source, session, facts), file=run.out)

    run.each(args.files, work)


def _cmd_draft(args: argparse.Namespace, run: _Run) -> None:
    from notewell.bootstrap import build
    from notewell.exports.contract import note_to_json
    from notewell.exports.text import note_to_markdown
    from notewell.services.drafting import draft_note
    from notewell.services.extraction import load_checked_session

    app = build()
    fmt = args.format.strip().lower()
    if fmt != "auto" and fmt not in app.formats.names():
        raise UsageError(
            f"unknown format {args.format!r}; choose from auto, {', '.join(app.formats.names())}"
        )

    def work(source: str) -> None:
        session = load_checked_session(
            source, app.knowledge.instruments, app.techniques, app.settings.max_input_bytes
        )
        note = draft_note(session, fmt, app.extractor, app.composer, app.reviewer)
        if args.json:
            print(json.dumps(note_to_json(source, note), ensure_ascii=False), file=run.out)
        else:
            print(note_to_markdown(source, session, note), file=run.out)

    run.each(args.files, work)


def _cmd_rules(args: argparse.Namespace, run: _Run) -> None:
    from notewell.bootstrap import build
    from notewell.exports.text import rules_to_text

    if args.rules_command != "show":
        raise UsageError("usage: notewell rules show [LEXICON]")
    app = build()
    if args.lexicon and args.lexicon not in app.knowledge.lexicons:
        raise UsageError(
            f"unknown lexicon {args.lexicon!r}; choose from {', '.join(sorted(app.knowledge.lexicons))}"
        )
    print(rules_to_text(app.knowledge, args.lexicon, app.settings.rules_dir), file=run.out)


COMMANDS: dict[str, Callable[[argparse.Namespace, _Run], None]] = {
    "extract": _cmd_extract,
    "draft": _cmd_draft,
    "rules": _cmd_rules,
}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its one-line usage error
        return EXIT_INPUT if exc.code else EXIT_OK
    if not args.command:
        parser.print_help(out)
        return EXIT_INPUT
    run = _Run(out, err)
    try:
        handler = COMMANDS.get(args.command) or EXTRA_COMMANDS[args.command]
        handler(args, run)
    except InputError as exc:
        print(f"notewell: {exc}", file=err)
        return EXIT_INPUT
    except ConfigurationError as exc:
        print(f"notewell: configuration error: {exc}", file=err)
        return EXIT_CONFIG
    except NotewellError as exc:
        print(f"notewell: {exc}", file=err)
        return EXIT_INTERNAL
    except BrokenPipeError:  # "notewell draft … | head": the reader left; not an error
        _silence_stdout()
        return EXIT_INPUT if run.failed else EXIT_OK
    except Exception as exc:  # never a traceback with session text in it
        if os.environ.get("NOTEWELL_DEBUG"):
            raise
        print(
            f"notewell: internal error ({type(exc).__name__}); rerun with NOTEWELL_DEBUG=1 for details",
            file=err,
        )
        return EXIT_INTERNAL
    return EXIT_INPUT if run.failed else EXIT_OK


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def entry(argv: Sequence[str] | None = None) -> Any:  # pragma: no cover - console script shim
    sys.exit(main(argv))
