"""The clinical record from the command line: set up, users, import, backup, audit, retention, keys.

::

    notewell init                                   # data folder, key (0600), database, first admin
    notewell users add dana --role clinician --name "Dana Reyes" --credentials LCSW
    notewell users add tom --role clinician --supervisor sam   # a trainee: notes need co-signature
    notewell users list
    notewell users disable tom
    notewell import s1.yaml s2.yaml --client EX-0001 --clinician dana
    notewell backup /safe/place/notewell-2026-03-02.db
    notewell restore /safe/place/notewell-2026-03-02.db
    notewell audit verify
    notewell retention apply [--dry-run]
    notewell keys rotate

These run on the server as the operator (whoever can read the key file is trusted with the
whole record); the audit log names them ``operator:<login>``. ``import`` acts as the named
clinician. Bad arguments get one line on stderr and exit 2; nothing here prints note text
except ``import``'s one-line summary per file (ids and format only).
"""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notewell.domain.records import ROLES
from notewell.errors import AuditChainBroken, UsageError

if TYPE_CHECKING:
    from notewell.bootstrap import Record


def register(sub: Any) -> dict[str, Any]:
    """Add the record commands to the ``notewell`` parser."""
    init = sub.add_parser("init", help="create the data folder, key, database and first admin (idempotent)")
    init.add_argument("--admin", default="admin", metavar="USERNAME", help="the first admin's username")

    users = sub.add_parser("users", help="add, list or disable user accounts")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION")
    add = users_sub.add_parser("add", help="add a user; the generated password is shown once")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--name", default="", help="full name as it appears on signatures")
    add.add_argument("--credentials", default="", help="e.g. LCSW, PhD, LPC-Associate")
    add.add_argument("--supervisor", metavar="USERNAME", help="for a trainee clinician: their supervisor")
    users_sub.add_parser("list", help="list user accounts")
    disable = users_sub.add_parser("disable", help="disable an account (nothing is deleted)")
    disable.add_argument("username")

    imp = sub.add_parser("import", help="store session files as sessions of a client, each with its AI draft")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--client", required=True, help="the client's label (created if new)")
    imp.add_argument(
        "--clinician", required=True, metavar="USERNAME", help="the clinician the sessions belong to"
    )
    imp.add_argument("--format", default="auto", help="note format, or auto (from session type and setting)")
    imp.add_argument(
        "--consent-given",
        metavar="YYYY-MM-DD",
        help="record the client's consent to AI-assisted documentation, given on this date",
    )

    bk = sub.add_parser("backup", help="back up the whole database to a new file")
    bk.add_argument("path", type=Path, metavar="PATH")
    rs = sub.add_parser("restore", help="replace the database with a backup (the current one is kept aside)")
    rs.add_argument("path", type=Path, metavar="PATH")

    au = sub.add_parser("audit", help="check the audit log")
    au_sub = au.add_subparsers(dest="audit_command", metavar="ACTION")
    au_sub.add_parser("verify", help="recompute the audit hash chain; exit 1 if any row was tampered with")

    ret = sub.add_parser("retention", help="apply the retention policy")
    ret_sub = ret.add_subparsers(dest="retention_command", metavar="ACTION")
    apply = ret_sub.add_parser("apply", help="remove clients whose last service is past the retention period")
    apply.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")

    keys = sub.add_parser("keys", help="manage encryption keys")
    keys_sub = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    keys_sub.add_parser("rotate", help="re-encrypt everything under a new data key")

    return {
        "init": _cmd_init,
        "users": _cmd_users,
        "import": _cmd_import,
        "backup": _cmd_backup,
        "restore": _cmd_restore,
        "audit": _cmd_audit,
        "retention": _cmd_retention,
        "keys": _cmd_keys,
    }


def _open(create: bool = False) -> Record:
    from notewell.bootstrap import open_record
    from notewell.config import Settings

    return open_record(Settings.from_env(), create=create)


def _operator() -> Any:
    from notewell.domain.records import Actor

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        login = "unknown"
    return Actor.operator(login)


def _cmd_init(args: argparse.Namespace, run: Any) -> None:
    record = _open(create=True)
    try:
        service, op = record.service, _operator()
        url = record.database.engine.url.render_as_string(hide_password=True)
        if service.list_users(op):
            print(f"notewell: {url} is initialised and up to date", file=run.out)
            return
        admin, password = service.add_user(op, args.admin, "admin", full_name="Administrator")
        print(f"initialised {url}", file=run.out)
        print(f"first admin: {admin.username}  password: {password}", file=run.out)
        print("(the password is shown once; store it in a password manager)", file=run.out)
    finally:
        record.close()


def _cmd_users(args: argparse.Namespace, run: Any) -> None:
    if args.users_command not in ("add", "list", "disable"):
        raise UsageError("usage: notewell users add|list|disable …")
    record = _open()
    try:
        service, op = record.service, _operator()
        if args.users_command == "add":
            user, password = service.add_user(
                op,
                args.username,
                args.role,
                full_name=args.name,
                credentials=args.credentials,
                supervisor=args.supervisor,
            )
            print(f"added {user.username} ({user.role})  password: {password}", file=run.out)
            print("(the password is shown once)", file=run.out)
        elif args.users_command == "list":
            users = service.list_users(op)
            by_id = {u.id: u.username for u in users}
            for u in users:
                extra = f"  supervisor={by_id.get(u.supervisor_id, '?')}" if u.supervisor_id else ""
                state = "active" if u.active else "disabled"
                creds = f", {u.credentials}" if u.credentials else ""
                print(f"{u.username:<20} {u.role:<11} {state:<8} {u.full_name}{creds}{extra}", file=run.out)
        else:
            user = service.disable_user(op, args.username)
            print(f"disabled {user.username}", file=run.out)
    finally:
        record.close()


def _cmd_import(args: argparse.Namespace, run: Any) -> None:
    from notewell.domain.records import Actor
    from notewell.services.extraction import load_checked_session

    consent_on: date | None = None
    if args.consent_given:
        try:
            consent_on = date.fromisoformat(args.consent_given)
        except ValueError:
            raise UsageError(
                f"--consent-given: expected a date like 2026-03-02, got {args.consent_given!r}"
            ) from None
    record = _open()
    try:
        service = record.service
        app = record.drafter.app
        fmt = args.format.strip().lower()
        if fmt != "auto" and fmt not in app.formats.names():
            raise UsageError(
                f"unknown format {args.format!r}; choose from auto, {', '.join(app.formats.names())}"
            )
        clinician = next(
            (u for u in service.list_users(_operator()) if u.username == args.clinician.lower()), None
        )
        if clinician is None or not clinician.active:
            raise UsageError(f"--clinician: no active user {args.clinician!r}")
        actor = Actor(clinician.id, clinician.username, channel="cli")
        client, created = service.open_client(actor, args.client)
        if consent_on is not None:
            service.record_consent(actor, client.id, consent_on)

        new_client = [created]

        def work(source: str) -> None:
            session = load_checked_session(
                source, app.knowledge.instruments, app.techniques, app.settings.max_input_bytes
            )
            outcome = service.draft_note(actor, client.id, session, fmt)
            print(
                f"{source}: client {client.id}{' (new)' if new_client.pop() else ''}, "
                f"session {outcome.session_id}, note {outcome.note.id} ({outcome.note.format}, draft)",
                file=run.out,
            )
            new_client.append(False)
            for warning in outcome.warnings:
                print(f"notewell: warning: {warning}", file=run.err)

        run.each(args.files, work)
    finally:
        record.close()


def _cmd_backup(args: argparse.Namespace, run: Any) -> None:
    from notewell.storage.backup import backup

    record = _open()
    try:
        report = backup(record.database, args.path)
        record.database.audit_operation(_operator().username, "export", "database")
        print(f"backed up {report.rows} rows to {report.path} ({report.kind})", file=run.out)
    finally:
        record.close()


def _cmd_restore(args: argparse.Namespace, run: Any) -> None:
    from notewell.bootstrap import open_record
    from notewell.config import Settings
    from notewell.storage.backup import restore

    settings = Settings.from_env()
    # Onto a fresh machine too: the schema is created first; the key must be the backup's.
    record = open_record(settings, create=True)
    try:
        report = restore(record.database, args.path)
    finally:
        record.close()
    record = open_record(settings)
    try:
        record.database.audit_operation(_operator().username, "create", "database")
        print(f"restored {report.rows} rows from {report.path}", file=run.out)
    finally:
        record.close()


def _cmd_audit(args: argparse.Namespace, run: Any) -> None:
    if args.audit_command != "verify":
        raise UsageError("usage: notewell audit verify")
    record = _open()
    try:
        report = record.service.verify_audit(_operator())
    finally:
        record.close()
    if not report.ok:
        raise AuditChainBroken(f"audit chain broken: {report.problem}")
    print(f"audit chain ok: {report.events} events, head {report.head[:16]}", file=run.out)


def _cmd_retention(args: argparse.Namespace, run: Any) -> None:
    if args.retention_command != "apply":
        raise UsageError("usage: notewell retention apply [--dry-run]")
    record = _open()
    try:
        service = record.service
        removed = service.apply_retention(_operator(), dry_run=args.dry_run)
        years = service.policy.retention_years
        verb = "would remove" if args.dry_run else "removed"
        ids = ", ".join(str(i) for i in removed) or "none"
        print(f"retention {years} years: {verb} {len(removed)} client record(s): {ids}", file=run.out)
    finally:
        record.close()


def _cmd_keys(args: argparse.Namespace, run: Any) -> None:
    if args.keys_command != "rotate":
        raise UsageError("usage: notewell keys rotate")
    record = _open()
    try:
        kid, count = record.service.rotate_keys(_operator())
        print(f"rotated to data key {kid}: {count} values re-encrypted, old keys deleted", file=run.out)
    finally:
        record.close()
