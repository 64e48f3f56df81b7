"""The clinical record: users, clients, sessions, drafts, notes, addenda, audit chain, triggers.

The triggers are the database's own guard (behind the services' checks):

* ``audit_events`` is append-only: no UPDATE, no DELETE, ever.
* a signed note is locked: no UPDATE at all; a note awaiting co-signature keeps its body.
* notes, their versions and addenda are deleted only inside a retention transaction (which
  holds a ``retention_purges`` row for the client), and versions and addenda are updated only
  inside ``keys rotate`` (which holds the ``maintenance`` row ``key_rotation``): ciphertexts
  change, plaintexts do not.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 09:48:56.977150
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ROTATING = "EXISTS (SELECT 1 FROM maintenance WHERE kind = 'key_rotation')"
PURGING = "EXISTS (SELECT 1 FROM retention_purges WHERE client_id = OLD.client_id)"

SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'notewell: audit_events is append-only'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'notewell: audit_events is append-only'); END""",
    f"""CREATE TRIGGER notes_signed_locked BEFORE UPDATE ON notes
    WHEN OLD.status = 'signed' AND NOT {ROTATING}
    BEGIN SELECT RAISE(ABORT, 'notewell: a signed note is locked'); END""",
    f"""CREATE TRIGGER notes_awaiting_cosign_frozen BEFORE UPDATE ON notes
    WHEN OLD.status = 'awaiting_cosign' AND NEW.body_enc IS NOT OLD.body_enc AND NOT {ROTATING}
    BEGIN SELECT RAISE(ABORT, 'notewell: a note awaiting co-signature keeps its text'); END""",
    f"""CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes WHEN NOT {PURGING}
    BEGIN SELECT RAISE(ABORT, 'notewell: notes are removed only by retention'); END""",
    f"""CREATE TRIGGER note_versions_no_update BEFORE UPDATE ON note_versions WHEN NOT {ROTATING}
    BEGIN SELECT RAISE(ABORT, 'notewell: note versions are append-only'); END""",
    f"""CREATE TRIGGER note_versions_no_delete BEFORE DELETE ON note_versions WHEN NOT {PURGING}
    BEGIN SELECT RAISE(ABORT, 'notewell: note versions are removed only by retention'); END""",
    f"""CREATE TRIGGER addenda_no_update BEFORE UPDATE ON addenda WHEN NOT {ROTATING}
    BEGIN SELECT RAISE(ABORT, 'notewell: addenda are append-only'); END""",
    f"""CREATE TRIGGER addenda_no_delete BEFORE DELETE ON addenda WHEN NOT {PURGING}
    BEGIN SELECT RAISE(ABORT, 'notewell: addenda are removed only by retention'); END""",
)
SQLITE_TRIGGER_NAMES = tuple(s.split()[2] for s in SQLITE_TRIGGERS)

POSTGRESQL_FUNCTIONS = (
    "notewell_append_only",
    "notewell_note_locked",
    "notewell_rotation_only",
    "notewell_retention_only",
)
POSTGRESQL_TRIGGERS = (
    """CREATE FUNCTION notewell_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'notewell: % is append-only', TG_TABLE_NAME; END $$""",
    f"""CREATE FUNCTION notewell_note_locked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF {ROTATING} THEN RETURN NEW; END IF;
      IF OLD.status = 'signed' THEN RAISE EXCEPTION 'notewell: a signed note is locked'; END IF;
      IF OLD.status = 'awaiting_cosign' AND NEW.body_enc IS DISTINCT FROM OLD.body_enc THEN
        RAISE EXCEPTION 'notewell: a note awaiting co-signature keeps its text';
      END IF;
      RETURN NEW;
    END $$""",
    f"""CREATE FUNCTION notewell_rotation_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF {ROTATING} THEN RETURN NEW; END IF;
      RAISE EXCEPTION 'notewell: % is append-only', TG_TABLE_NAME;
    END $$""",
    f"""CREATE FUNCTION notewell_retention_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF {PURGING} THEN RETURN OLD; END IF;
      RAISE EXCEPTION 'notewell: % rows are removed only by retention', TG_TABLE_NAME;
    END $$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION notewell_append_only()""",
    """CREATE TRIGGER notes_locked BEFORE UPDATE ON notes
    FOR EACH ROW EXECUTE FUNCTION notewell_note_locked()""",
    """CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes
    FOR EACH ROW EXECUTE FUNCTION notewell_retention_only()""",
    """CREATE TRIGGER note_versions_no_update BEFORE UPDATE ON note_versions
    FOR EACH ROW EXECUTE FUNCTION notewell_rotation_only()""",
    """CREATE TRIGGER note_versions_no_delete BEFORE DELETE ON note_versions
    FOR EACH ROW EXECUTE FUNCTION notewell_retention_only()""",
    """CREATE TRIGGER addenda_no_update BEFORE UPDATE ON addenda
    FOR EACH ROW EXECUTE FUNCTION notewell_rotation_only()""",
    """CREATE TRIGGER addenda_no_delete BEFORE DELETE ON addenda
    FOR EACH ROW EXECUTE FUNCTION notewell_retention_only()""",
)
POSTGRESQL_TRIGGER_NAMES = (
    ("audit_events", "audit_events_append_only"),
    ("notes", "notes_locked"),
    ("notes", "notes_no_delete"),
    ("note_versions", "note_versions_no_update"),
    ("note_versions", "note_versions_no_delete"),
    ("addenda", "addenda_no_update"),
    ("addenda", "addenda_no_delete"),
)


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label_enc", sa.LargeBinary(), nullable=False),
        sa.Column("label_index", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_service_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("label_index", name=op.f("uq_clients_label_index")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "data_keys",
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_data_keys")),
    )
    op.create_table(
        "maintenance",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_maintenance")),
    )
    op.create_table(
        "practice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "retention_purges",
        sa.Column("client_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_retention_purges")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("credentials", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["supervisor_id"], ["users.id"], name=op.f("fk_users_supervisor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "ai_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_ai_consents_client_id_clients")),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_ai_consents_recorded_by_users")),
        sa.ForeignKeyConstraint(
            ["withdrawn_by"], ["users.id"], name=op.f("fk_ai_consents_withdrawn_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_consents")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ai_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ai_consents_client_id"), ["client_id"], unique=False)

    op.create_table(
        "client_clinicians",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_clinicians_client_id_clients")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_client_clinicians_user_id_users")),
        sa.PrimaryKeyConstraint("client_id", "user_id", name=op.f("pk_client_clinicians")),
    )
    op.create_table(
        "diagnoses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("content_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_diagnoses_client_id_clients")),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_diagnoses_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnoses")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("diagnoses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diagnoses_client_id"), ["client_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=True),
        sa.Column("start_time", sa.String(length=5), nullable=True),
        sa.Column("end_time", sa.String(length=5), nullable=True),
        sa.Column("session_type", sa.String(length=20), nullable=True),
        sa.Column("input_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_sessions_client_id_clients")),
        sa.ForeignKeyConstraint(["clinician_id"], ["users.id"], name=op.f("fk_sessions_clinician_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_client_id"), ["client_id"], unique=False)

    op.create_table(
        "treatment_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("goals_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_treatment_plans_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_treatment_plans_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_plans")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_treatment_plans_client_id"), ["client_id"], unique=False)

    op.create_table(
        "ai_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("content_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_ai_drafts_created_by_users")),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_ai_drafts_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_drafts")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ai_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ai_drafts_session_id"), ["session_id"], unique=False)

    op.create_table(
        "measure_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("administered_on", sa.Date(), nullable=True),
        sa.Column("result_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_measure_results_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_measure_results_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_measure_results_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_results")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("measure_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_results_client_id"), ["client_id"], unique=False)

    op.create_table(
        "private_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_private_notes_author_id_users")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_private_notes_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_private_notes_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_notes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("private_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_private_notes_client_id"), ["client_id"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("ai_draft_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("signed_by", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=True),
        sa.Column("signer_credentials", sa.String(length=100), nullable=True),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("late_entry_label", sa.String(length=100), nullable=True),
        sa.Column("cosigned_by", sa.Integer(), nullable=True),
        sa.Column("cosigner_name", sa.String(length=200), nullable=True),
        sa.Column("cosigner_credentials", sa.String(length=100), nullable=True),
        sa.Column("cosigned_at", sa.DateTime(), nullable=True),
        sa.Column("minutes_to_signature", sa.Integer(), nullable=True),
        sa.Column("edit_ratio", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ai_draft_id"], ["ai_drafts.id"], name=op.f("fk_notes_ai_draft_id_ai_drafts")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_notes_author_id_users")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_notes_client_id_clients")),
        sa.ForeignKeyConstraint(["cosigned_by"], ["users.id"], name=op.f("fk_notes_cosigned_by_users")),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_notes_session_id_sessions")),
        sa.ForeignKeyConstraint(["signed_by"], ["users.id"], name=op.f("fk_notes_signed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        sa.UniqueConstraint("session_id", name=op.f("uq_notes_session_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_client_id"), ["client_id"], unique=False)

    op.create_table(
        "addenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("author_credentials", sa.String(length=100), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_addenda_author_id_users")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_addenda_client_id_clients")),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"], name=op.f("fk_addenda_note_id_notes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_addenda")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("addenda", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_addenda_note_id"), ["note_id"], unique=False)

    op.create_table(
        "note_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("comment_enc", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_note_reviews_client_id_clients")
        ),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"], name=op.f("fk_note_reviews_note_id_notes")),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_note_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_reviews")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("note_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_reviews_note_id"), ["note_id"], unique=False)

    op.create_table(
        "note_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("edited_by", sa.Integer(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_note_versions_client_id_clients")
        ),
        sa.ForeignKeyConstraint(["edited_by"], ["users.id"], name=op.f("fk_note_versions_edited_by_users")),
        sa.ForeignKeyConstraint(["note_id"], ["notes.id"], name=op.f("fk_note_versions_note_id_notes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_versions")),
        sa.UniqueConstraint("note_id", "version", name=op.f("uq_note_versions_note_id")),
        sqlite_autoincrement=True,
    )

    op.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis')"))
    bind = op.get_bind()
    statements = SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else POSTGRESQL_TRIGGERS
    for statement in statements:
        op.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
    else:
        for table, name in POSTGRESQL_TRIGGER_NAMES:
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
        for function in POSTGRESQL_FUNCTIONS:
            op.execute(sa.text(f"DROP FUNCTION IF EXISTS {function}()"))
    op.drop_table("note_versions")
    with op.batch_alter_table("note_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_reviews_note_id"))

    op.drop_table("note_reviews")
    with op.batch_alter_table("addenda", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_addenda_note_id"))

    op.drop_table("addenda")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_client_id"))

    op.drop_table("notes")
    with op.batch_alter_table("private_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_private_notes_client_id"))

    op.drop_table("private_notes")
    with op.batch_alter_table("measure_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_results_client_id"))

    op.drop_table("measure_results")
    with op.batch_alter_table("ai_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ai_drafts_session_id"))

    op.drop_table("ai_drafts")
    with op.batch_alter_table("treatment_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_plans_client_id"))

    op.drop_table("treatment_plans")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_client_id"))

    op.drop_table("sessions")
    with op.batch_alter_table("diagnoses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diagnoses_client_id"))

    op.drop_table("diagnoses")
    op.drop_table("client_clinicians")
    with op.batch_alter_table("ai_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ai_consents_client_id"))

    op.drop_table("ai_consents")
    op.drop_table("users")
    op.drop_table("retention_purges")
    op.drop_table("practice")
    op.drop_table("maintenance")
    op.drop_table("data_keys")
    op.drop_table("clients")
    op.drop_table("audit_head")
    op.drop_table("audit_events")
