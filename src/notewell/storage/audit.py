"""The audit log: one row per access to client data, HMAC-chained, append-only.

Each row names the actor, their role, the action (create, read, update, sign, export, delete),
the entity (``note``, ``client``…) and its id, the outcome (``ok`` or ``denied``) and the time —
never what the entity says. Row *n* carries ``hash_n = HMAC(audit key, hash_(n-1) + row n)``;
``audit_head`` holds the newest (seq, hash). A changed row breaks its own hash, a deleted row
breaks the sequence and the next row's link, an inserted row breaks the link after it, and a
row appended or removed at the end disagrees with the head. Only a holder of the secret key
could forge a consistent chain.

Rows are appended at commit time of the unit of work, after the change they describe and in
the same transaction, so a change without its audit row (or the reverse) cannot be committed.
The head row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite writers are serialised)
so concurrent transactions extend the chain one after another.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from notewell.domain.records import AuditEvent
from notewell.storage.crypto import Keyring
from notewell.storage.tables import audit_events, audit_head

GENESIS = "genesis"


@dataclass(frozen=True)
class PendingEvent:
    """An audit row waiting for its transaction to commit."""

    at: str
    actor_id: int | None
    actor: str
    role: str
    action: str
    entity: str
    entity_id: int | None
    outcome: str = "ok"


def canonical(seq: int, e: PendingEvent | AuditEvent) -> str:
    """The exact text a row's hash covers (``|`` cannot occur in any field: all are ids or words)."""
    fields = (seq, e.at, e.actor_id, e.actor, e.role, e.action, e.entity, e.entity_id, e.outcome)
    return "|".join("" if f is None else str(f) for f in fields)


def append(conn: Connection, keyring: Keyring, events: Sequence[PendingEvent]) -> None:
    """Extend the chain with ``events`` inside the caller's transaction."""
    if not events:
        return
    head = conn.execute(
        select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()
    ).one()
    seq, prev = int(head.seq), str(head.hash)
    rows = []
    for event in events:
        seq += 1
        digest = keyring.chain_mac(prev, canonical(seq, event))
        rows.append(
            {
                "seq": seq,
                "at": event.at,
                "actor_id": event.actor_id,
                "actor": event.actor,
                "role": event.role,
                "action": event.action,
                "entity": event.entity,
                "entity_id": event.entity_id,
                "outcome": event.outcome,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    conn.execute(insert(audit_events), rows)
    conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))


@dataclass(frozen=True)
class ChainReport:
    """What ``notewell audit verify`` found: ``ok`` or the first problem, by sequence number."""

    ok: bool
    events: int
    head: str
    problem: str | None = None


def iter_events(conn: Connection, batch: int = 5000) -> Iterator[tuple[AuditEvent, str, str]]:
    """Every audit row in sequence order, with its stored previous hash and hash."""
    last = 0
    while True:
        rows = conn.execute(
            select(audit_events).where(audit_events.c.seq > last).order_by(audit_events.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        for r in rows:
            yield (
                AuditEvent(
                    seq=r.seq,
                    at=r.at,
                    actor_id=r.actor_id,
                    actor=r.actor,
                    role=r.role,
                    action=r.action,
                    entity=r.entity,
                    entity_id=r.entity_id,
                    outcome=r.outcome,
                ),
                r.prev_hash,
                r.hash,
            )
        last = rows[-1].seq


def verify(conn: Connection, keyring: Keyring) -> ChainReport:
    """Recompute the whole chain; report the first row that does not fit."""
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one()
    expected_seq, prev, count = 1, GENESIS, 0
    for event, stored_prev, stored_hash in iter_events(conn):
        count += 1
        if event.seq != expected_seq:
            return ChainReport(
                False, count, prev, f"event {expected_seq} is missing (found {event.seq} next)"
            )
        if stored_prev != prev:
            return ChainReport(False, count, prev, f"event {event.seq} does not link to the event before it")
        if keyring.chain_mac(prev, canonical(event.seq, event)) != stored_hash:
            return ChainReport(False, count, prev, f"event {event.seq} was changed after it was written")
        prev = stored_hash
        expected_seq += 1
    if head.seq != count or head.hash != prev:
        return ChainReport(
            False, count, prev, f"the chain ends at event {count} but the head records event {head.seq}"
        )
    return ChainReport(True, count, prev)
