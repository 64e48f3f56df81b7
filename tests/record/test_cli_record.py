"""``notewell init|users|import|backup|restore|audit|retention|keys`` end to end, with the real engine."""

from __future__ import annotations

import io
import re
import shlex
import sqlite3
import stat
from pathlib import Path

import pytest

from notewell.bootstrap import App
from notewell.cli import main
from notewell.storage.passwords import Argon2PasswordHasher

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
# Words from the example session texts and the notes drafted from them (all synthetic).
PLAINTEXT = (
    "slowest one there",
    "out of practice",
    "balanced thought",
    "Client reported mood",
    "activity log",
    "Pool Tue and Thu",
    "EX-0001",
)


class QuickArgon2(Argon2PasswordHasher):
    """Real argon2id, test-sized (the production cost is ~0.4 s a hash)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: App) -> Path:
    """A fresh data folder; the engine is the session's (building it per command costs ~1.5 s)."""
    monkeypatch.setattr("notewell.bootstrap.build", lambda settings=None: app)
    monkeypatch.setattr("notewell.storage.passwords.Argon2PasswordHasher", QuickArgon2)
    folder = tmp_path / "data"
    monkeypatch.setenv("NOTEWELL_DATA_DIR", str(folder))
    for name in ("NOTEWELL_SECRET_KEY", "NOTEWELL_DATABASE_URL", "NOTEWELL_AI_CONSENT"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def initialised(data_dir: Path) -> Path:
    code, _out, err = run("init")
    assert code == 0, err
    assert (
        run("users", "add", "dana", "--role", "clinician", "--name", "Dana Reyes", "--credentials", "LCSW")[0]
        == 0
    )
    return data_dir


def test_init_creates_a_private_key_the_database_and_a_first_admin_once(data_dir: Path) -> None:
    code, out, err = run("init")
    assert (code, err) == (0, "")
    password = re.search(r"first admin: admin  password: (\S+)", out)
    assert password and len(password.group(1)) >= 16
    key = data_dir / "secret.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "notewell.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    again = run("init")
    assert again[0] == 0 and "initialised and up to date" in again[1] and "password" not in again[1]


def test_users_add_list_disable(initialised: Path) -> None:
    assert run("users", "add", "sam", "--role", "supervisor", "--name", "Sam Lee")[0] == 0
    code, out, _ = run("users", "add", "tom", "--role", "clinician", "--supervisor", "sam")
    assert code == 0 and out.startswith("added tom (clinician)  password: ")
    code, out, _ = run("users", "list")
    assert code == 0
    assert re.search(r"^dana\s+clinician\s+active\s+Dana Reyes, LCSW$", out, re.M)
    assert re.search(r"^tom\s+clinician\s+active\s+tom  supervisor=sam$", out, re.M)
    assert run("users", "disable", "tom") == (0, "disabled tom\n", "")
    assert re.search(r"^tom\s+clinician\s+disabled", run("users", "list")[1], re.M)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "x y", "--role", "clinician"), "notewell: username 'x y': use 2-64 lower-case"),
        (("users", "add", "dana", "--role", "clinician"), "notewell: user 'dana' already exists"),
        (
            ("users", "add", "tom", "--role", "clinician", "--supervisor", "ghost"),
            "supervisor 'ghost' not found",
        ),
        (("users", "add", "tom", "--role", "clinician", "--supervisor", "dana"), "has the role clinician"),
        (("users", "disable", "ghost"), "notewell: user 'ghost' not found"),
        (("import", "nothing.yaml", "--client", "C", "--clinician", "ghost"), "--clinician: no active user"),
        (
            ("import", *EXAMPLES[:1], "--client", "C", "--clinician", "dana", "--format", "xyz"),
            "unknown format",
        ),
        (
            ("import", *EXAMPLES[:1], "--client", "C", "--clinician", "dana", "--consent-given", "soon"),
            "2026-03-02",
        ),
        (("backup", "/no/such/folder/b.db"), "/no/such/folder: no such folder"),
        (("restore", "/no/such/backup.db"), "no such backup file"),
        (("audit",), "usage: notewell audit verify"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(initialised: Path, args: tuple[str, ...], message: str) -> None:
    code, _out, err = run(*args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_argparse_rejects_an_unknown_role_with_exit_2(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("users", "add", "x1", "--role", "wizard")[0] == 2
    assert "invalid choice: 'wizard'" in capsys.readouterr().err


def test_commands_before_init_say_so_without_a_traceback(data_dir: Path) -> None:
    code, _, err = run("users", "list")
    assert (
        code == 1
        and err == f"notewell: no database at {data_dir / 'notewell.db'}; run `notewell init` first\n"
    )


def test_import_stores_each_file_with_its_draft_and_keeps_going_past_a_bad_file(
    initialised: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("session: {start: '10:50', end: '10:05'}\ntext: Synthetic.\n", encoding="utf-8")
    code, out, err = run(
        "import", EXAMPLES[0], str(bad), EXAMPLES[1], "--client", "Jo Example", "--clinician", "dana",
        "--consent-given", "2026-01-05",
    )  # fmt: skip
    assert code == 2
    lines = out.splitlines()
    assert lines[0] == f"{EXAMPLES[0]}: client 1 (new), session 1, note 1 (dap, draft)"
    assert lines[1] == f"{EXAMPLES[1]}: client 1, session 2, note 2 (girp, draft)"
    assert err.strip() == f"notewell: {bad}: session.end: ends at 10:05, not after the start at 10:50"


def test_after_init_and_a_demo_session_the_database_and_its_wal_hold_no_plaintext(initialised: Path) -> None:
    db = initialised / "notewell.db"
    holder = sqlite3.connect(db)  # an open reader keeps the WAL from being checkpointed away
    try:
        holder.execute("SELECT count(*) FROM notes").fetchone()
        code, _out, err = run("import", *EXAMPLES, "--client", "EX-0001", "--clinician", "dana")
        assert code == 0, err
        wal = db.with_name("notewell.db-wal")
        raw = db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert wal.exists() and wal.stat().st_size > 0
        for phrase in PLAINTEXT:
            assert phrase.encode() not in raw, phrase
            assert phrase.encode("utf-16-le") not in raw, phrase
        # the check has teeth: the same words are in the inputs, and the record decrypts them
        assert all(any(p in Path(f).read_text() for f in EXAMPLES) for p in PLAINTEXT if p[0].islower())
    finally:
        holder.close()


def test_audit_verify_passes_then_fails_after_a_row_is_changed_with_the_trigger_dropped(
    initialised: Path,
) -> None:
    assert run("import", EXAMPLES[0], "--client", "C1", "--clinician", "dana")[0] == 0
    code, out, _ = run("audit", "verify")
    assert code == 0 and re.match(r"audit chain ok: \d+ events, head [0-9a-f]{16}$", out.strip())
    conn = sqlite3.connect(initialised / "notewell.db")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_events SET actor = 'nobody' WHERE seq = 2")
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("UPDATE audit_events SET actor = 'nobody' WHERE seq = 2")
    conn.commit()
    conn.close()
    code, out, err = run("audit", "verify")
    assert (code, out) == (1, "")
    assert err == "notewell: audit chain broken: event 2 was changed after it was written\n"


def test_backup_and_restore_round_trip_every_row(initialised: Path, tmp_path: Path) -> None:
    assert run("import", *EXAMPLES[:2], "--client", "C1", "--clinician", "dana")[0] == 0

    def rows() -> dict[str, list[tuple[object, ...]]]:
        conn = sqlite3.connect(initialised / "notewell.db")
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {n: conn.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}
        finally:
            conn.close()

    code, out, _ = run("backup", str(tmp_path / "b.db"))
    assert code == 0 and out.startswith("backed up ") and out.rstrip().endswith("(sqlite)")
    before = rows()  # includes the backup's own audit row; the file was taken just before it
    assert run("import", EXAMPLES[2], "--client", "C1", "--clinician", "dana")[0] == 0
    assert run("keys", "rotate")[0] == 0
    code, out, _ = run("restore", str(tmp_path / "b.db"))
    assert code == 0 and out.startswith("restored ")
    after = rows()
    audit_before, audit_after = before.pop("audit_events"), after.pop("audit_events")
    before.pop("audit_head"), after.pop("audit_head")
    assert after == before
    # the backup holds the chain up to (not including) its own export row; restore appends one row
    assert audit_after[:-1] == audit_before[:-1]
    assert [r[5] for r in audit_after[-1:]] == ["create"]
    assert run("audit", "verify")[0] == 0


def test_retention_and_key_rotation_from_the_cli(initialised: Path) -> None:
    assert run("import", EXAMPLES[0], "--client", "C1", "--clinician", "dana")[0] == 0
    assert run("retention", "apply", "--dry-run") == (
        0,
        "retention 7 years: would remove 0 client record(s): none\n",
        "",
    )
    code, out, _ = run("keys", "rotate")
    assert code == 0 and re.match(r"rotated to data key [0-9a-f]{16}: \d+ values re-encrypted", out)
    assert run("audit", "verify")[0] == 0


def test_init_and_import_on_postgresql(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: App
) -> None:
    monkeypatch.setattr("notewell.bootstrap.build", lambda settings=None: app)
    monkeypatch.setattr("notewell.storage.passwords.Argon2PasswordHasher", QuickArgon2)
    cluster = request.getfixturevalue("postgres")
    monkeypatch.setenv("NOTEWELL_DATABASE_URL", cluster.url(cluster.new_database()))
    monkeypatch.setenv("NOTEWELL_SECRET_KEY", "a passphrase long enough for a test installation")
    monkeypatch.setenv("NOTEWELL_DATA_DIR", str(tmp_path / "unused"))
    assert run("init")[0] == 0
    assert run("users", "add", "dana", "--role", "clinician")[0] == 0
    code, out, err = run("import", EXAMPLES[0], "--client", "C1", "--clinician", "dana")
    assert code == 0, err
    assert out.endswith("note 1 (dap, draft)\n")
    assert run("audit", "verify")[0] == 0
    backup = tmp_path / "pg.backup"
    code, out, _ = run("backup", str(backup))
    assert code == 0 and out.rstrip().endswith("(logical)")
    monkeypatch.setenv("NOTEWELL_DATABASE_URL", cluster.url(cluster.new_database()))
    code, out, err = run("restore", str(backup))
    assert code == 0, err
    assert run("audit", "verify")[0] == 0
    assert not (tmp_path / "unused" / "secret.key").exists()  # the key came from the environment


def test_every_command_in_the_readme_section_parses() -> None:
    from notewell.cli import _parser

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## The clinical record", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    parser = _parser()
    commands = [shlex.split(line.split(" #", 1)[0]) for line in block.splitlines() if line.strip()]
    assert len(commands) >= 10
    for argv in commands:
        assert argv[0] == "notewell"
        parsed = parser.parse_args(argv[1:])  # an unknown command or option exits here
        assert parsed.command in {
            "init",
            "users",
            "import",
            "audit",
            "backup",
            "restore",
            "retention",
            "keys",
        }
