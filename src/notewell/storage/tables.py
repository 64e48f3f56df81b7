"""The database schema (SQLAlchemy Core). Columns ending in ``_enc`` hold AES-GCM ciphertexts.

What is in clear: ids, dates and times of service, roles, states, instrument names, signer
names and credentials, hashes. What is encrypted: everything a client said or a clinician
wrote about them (session input, AI drafts, note bodies and versions, addenda, private notes,
review comments, diagnoses, goals, measure scores) and the client's label.

The migration scripts in ``storage/migrations/versions`` create exactly this schema; a test
compares the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on both SQLite and PostgreSQL."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - SQLite returns datetime via the type
            value = datetime.fromisoformat(value)
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Enc = LargeBinary

practice = Table(
    "practice",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

data_keys = Table(
    "data_keys",
    metadata,
    Column("kid", String(16), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("credentials", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("supervisor_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

clients = Table(
    "clients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label_enc", Enc, nullable=False),
    Column("label_index", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_service_on", Date, nullable=True),
    sqlite_autoincrement=True,
)

client_clinicians = Table(
    "client_clinicians",
    metadata,
    Column("client_id", Integer, ForeignKey("clients.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
)

ai_consents = Table(
    "ai_consents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False, index=True),
    Column("given_on", Date, nullable=False),
    Column("recorded_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("withdrawn_at", UtcDateTime, nullable=True),
    Column("withdrawn_by", Integer, ForeignKey("users.id"), nullable=True),
    sqlite_autoincrement=True,
)

diagnoses = Table(
    "diagnoses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False, index=True),
    Column("content_enc", Enc, nullable=False),
    Column("recorded_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

treatment_plans = Table(
    "treatment_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False, index=True),
    Column("goals_enc", Enc, nullable=False),
    Column("recorded_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False, index=True),
    Column("clinician_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("date_of_service", Date, nullable=True),
    Column("start_time", String(5), nullable=True),
    Column("end_time", String(5), nullable=True),
    Column("session_type", String(20), nullable=True),
    Column("input_enc", Enc, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

ai_drafts = Table(
    "ai_drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id"), nullable=False, index=True),
    Column("format", String(32), nullable=False),
    Column("content_enc", Enc, nullable=False),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False, index=True),
    Column("session_id", Integer, ForeignKey("sessions.id"), nullable=False, unique=True),
    Column("ai_draft_id", Integer, ForeignKey("ai_drafts.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("format", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("body_enc", Enc, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("signed_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("signer_name", String(200), nullable=True),
    Column("signer_credentials", String(100), nullable=True),
    Column("signed_at", UtcDateTime, nullable=True),
    Column("content_hash", String(64), nullable=True),
    Column("late_entry_label", String(100), nullable=True),
    Column("cosigned_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("cosigner_name", String(200), nullable=True),
    Column("cosigner_credentials", String(100), nullable=True),
    Column("cosigned_at", UtcDateTime, nullable=True),
    Column("minutes_to_signature", Integer, nullable=True),
    Column("edit_ratio", Float, nullable=True),
    sqlite_autoincrement=True,
)

note_versions = Table(
    "note_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("note_id", Integer, ForeignKey("notes.id"), nullable=False),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("body_enc", Enc, nullable=False),
    Column("edited_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("edited_at", UtcDateTime, nullable=False),
    UniqueConstraint("note_id", "version"),
    sqlite_autoincrement=True,
)

note_reviews = Table(
    "note_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("note_id", Integer, ForeignKey("notes.id"), nullable=False, index=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False),
    Column("reviewer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("comment_enc", Enc, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

addenda = Table(
    "addenda",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("note_id", Integer, ForeignKey("notes.id"), nullable=False, index=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("author_credentials", String(100), nullable=False),
    Column("body_enc", Enc, nullable=False),
    Column("reason_enc", Enc, nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
    Column("content_hash", String(64), nullable=False),
    sqlite_autoincrement=True,
)

private_notes = Table(
    "private_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False, index=True),
    Column("session_id", Integer, ForeignKey("sessions.id"), nullable=True),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("body_enc", Enc, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

measure_results = Table(
    "measure_results",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), nullable=False, index=True),
    Column("session_id", Integer, ForeignKey("sessions.id"), nullable=True),
    Column("instrument", String(32), nullable=False),
    Column("administered_on", Date, nullable=True),
    Column("result_enc", Enc, nullable=False),
    Column("recorded_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    sqlite_autoincrement=True,
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor_id", Integer, nullable=True),
    Column("actor", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", Integer, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

retention_purges = Table(
    "retention_purges",
    metadata,
    Column("client_id", Integer, primary_key=True, autoincrement=False),
    Column("purged_at", UtcDateTime, nullable=False),
)

maintenance = Table(
    "maintenance",
    metadata,
    Column("kind", String(32), primary_key=True),
)

ENCRYPTED_COLUMNS: tuple[tuple[Table, str, str], ...] = (
    (clients, "id", "label_enc"),
    (diagnoses, "id", "content_enc"),
    (treatment_plans, "id", "goals_enc"),
    (sessions, "id", "input_enc"),
    (ai_drafts, "id", "content_enc"),
    (notes, "id", "body_enc"),
    (note_versions, "id", "body_enc"),
    (note_reviews, "id", "comment_enc"),
    (addenda, "id", "body_enc"),
    (addenda, "id", "reason_enc"),
    (private_notes, "id", "body_enc"),
    (measure_results, "id", "result_enc"),
)
"""Every (table, key, ciphertext column): what ``keys rotate`` re-encrypts."""

CLIENT_DATA_DELETE_ORDER: tuple[Table, ...] = (
    note_versions,
    note_reviews,
    addenda,
    notes,
    ai_drafts,
    private_notes,
    measure_results,
    sessions,
    ai_consents,
    diagnoses,
    treatment_plans,
    client_clinicians,
)
"""Children before parents: the order retention removes a client's record in."""


def where(table: Table, column: str) -> str:
    """The associated data a ciphertext is bound to: ``notes.body_enc``."""
    return f"{table.name}.{column}"
