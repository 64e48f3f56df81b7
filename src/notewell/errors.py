"""The exception tree callers can rely on.

::

    NotewellError                      base of everything Notewell raises on purpose
    ├── InputError                     bad user input; the CLI prints one line and exits 2
    │   ├── SessionFileError           a session file is unreadable or invalid (names file and field)
    │   ├── UsageError                 a bad command-line argument (unknown format, …)
    │   └── RecordError                the clinical record refuses a use case (CLI exit 2; web 4xx)
    │       ├── AccessDenied           the actor's role does not allow it (web: 403)
    │       ├── RecordNotFound         no such user, client, session or note (web: 404)
    │       ├── ConflictError          a stale edit or a concurrent sign/co-sign lost (web: 409)
    │       ├── RecordLocked           the note is signed (or awaiting co-signature): addenda only
    │       ├── InvalidTransition      the step does not apply in the note's state (co-sign a draft…)
    │       └── ConsentRequired        no consent to AI-assisted documentation, and policy is refuse
    ├── StorageError                   the database failed, or is not a Notewell database at head
    ├── AuditChainBroken               ``audit verify`` found a changed, deleted or inserted row
    └── ConfigurationError             the installation is broken (a rule file fails its schema, …)
        ├── RuleFileError              a clinical knowledge file (YAML) is invalid
        └── SecretKeyError             the encryption key is missing, unsafe, or not this database's

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


class RecordError(InputError):
    """A use case of the clinical record was refused; the message names ids and states, never content."""


class AccessDenied(RecordError):
    """The actor's role (or assignment) does not allow this, e.g. a biller opening a note's text."""


class RecordNotFound(RecordError):
    """The user, client, session or note named does not exist (or was removed by retention)."""


class ConflictError(RecordError):
    """Someone else changed the note first: a stale edit, or the loser of two concurrent signs.

    Never merged silently: the caller reloads, sees the other change, and decides.
    """


class RecordLocked(RecordError):
    """The note is signed (or frozen awaiting co-signature); later changes are addenda."""


class InvalidTransition(RecordError):
    """The step does not apply in the note's current state (co-signing a draft, signing twice…)."""


class ConsentRequired(RecordError):
    """The client has no current consent to AI-assisted documentation and the practice refuses drafts."""


class StorageError(NotewellError):
    """The database cannot be used: not initialised, migrations pending, or a driver failure."""


class AuditChainBroken(NotewellError):
    """The audit log's hash chain does not verify: a row was changed, deleted or inserted."""


class ConfigurationError(NotewellError):
    """The installation or a clinic override is broken; not the user's session input."""


class RuleFileError(ConfigurationError):
    """A clinical knowledge file (lexicon, format, check) failed its schema or self-checks."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class SecretKeyError(ConfigurationError):
    """The encryption key is missing, readable by others, malformed, or does not open this database."""
