"""The exception tree callers can rely on.

::

    NotewellError                      base of everything Notewell raises on purpose
    ├── InputError                     bad user input; the CLI prints one line and exits 2
    │   ├── SessionFileError           a session file is unreadable or invalid (names file and field)
    │   └── UsageError                 a bad command-line argument (unknown format, …)
    └── ConfigurationError             the installation is broken (a rule file fails its schema, …)
        └── RuleFileError              a clinical knowledge file (YAML) is invalid

Messages never contain note or session text (PHI): they name the file, the field and what
was expected, e.g. ``session.yaml: session.start: expected a 24-hour time like "14:02", got a number``.
"""

from __future__ import annotations


class NotewellError(Exception):
    """Base class for every error Notewell raises deliberately."""


class InputError(NotewellError):
    """The user gave input Notewell cannot use. Exit code 2 at the CLI."""


class SessionFileError(InputError):
    """A session file failed to load or validate.

    ``source`` is the path as given; ``field`` is a dotted path such as ``measures[0].items``.
    """

    def __init__(self, source: str, field: str | None, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        where = f"{source}: {field}: " if field else f"{source}: "
        super().__init__(where + problem)


class UsageError(InputError):
    """A command-line argument is wrong (unknown format, missing file list, …)."""


class ConfigurationError(NotewellError):
    """The installation or a clinic override is broken; not the user's session input."""


class RuleFileError(ConfigurationError):
    """A clinical knowledge file (lexicon, format, check) failed its schema or self-checks."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")
