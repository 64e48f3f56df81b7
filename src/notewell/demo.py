"""A demo practice for trying the web app: users, three synthetic clients, sessions, scores.

``notewell demo`` (and ``make run``, which then serves the app) fills an empty data folder with
a small practice a clinician can click through in five minutes:

* **users**: an admin, a clinician, a trainee clinician supervised by a supervisor, the
  supervisor, and a biller. Passwords are generated, printed once, and stored only as argon2id
  hashes, exactly like ``notewell users add``.
* **Demo client A** (the five ``examples/trends`` sessions, an intake and four follow-ups with
  PHQ-9 20 → 7 and GAD-7 falling): every note signed, one of them a *late entry* (signed two days
  after the session), one with an addendum, one private process note.
* **Demo client B** (shorthand CBT for depression, ``examples/cbt-depression-shorthand.yaml``
  last): two signed notes and **today's session as an unsigned AI draft** — the dashboard's
  "to sign" item.
* **Demo client C** (motivational interviewing for cannabis use after a workplace accident,
  ``examples/mi-cannabis-transcript.yaml`` last), seen by the **trainee**: PCL-5 48 → 36, one note
  returned by the supervisor with a revision comment and then co-signed, one co-signed, and the
  latest **awaiting co-signature** in the supervisor's queue.

Every session goes through the real engine (``RecordService.draft_note``), so drafts carry their
evidence spans and nudges. Session dates are placed relative to today, and a settable clock puts
drafting and signing minutes after each session ended, so the pilot figures (minutes to
signature, edit ratio) look like a real week rather than "everything signed just now".

All data is synthetic: the clients are labelled "Demo client A/B/C" with made-up chart numbers.

The demo never touches a real practice: a data folder that already has users is left alone —
"the demo already exists" when it is this demo (its admin ``demo-admin`` is marked as the demo's),
a refusal (exit 2) otherwise.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from notewell.bootstrap import open_record
from notewell.config import Settings
from notewell.domain.records import Actor, NoteRecord, User
from notewell.domain.session import Session
from notewell.errors import ConfigurationError, UsageError
from notewell.session_files import parse_session

if TYPE_CHECKING:
    from notewell.bootstrap import App
    from notewell.records.service import RecordService

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEMO_MARK = "(Notewell demo practice)"
"""Part of the demo admin's full name: how a second run recognises its own practice."""
DEMO_ADMIN = "demo-admin"


@dataclass(frozen=True)
class DemoUser:
    """One demo account: ``demo-trainee`` is a clinician whose notes need co-signature."""

    username: str
    role: str
    full_name: str
    credentials: str = ""
    supervisor: str | None = None


# Supervisor before trainee (the trainee names them); the admin last, so its mark means "complete".
USERS: tuple[DemoUser, ...] = (
    DemoUser("demo-clinician", "clinician", "Dana Demo", "LCSW"),
    DemoUser("demo-supervisor", "supervisor", "Sam Supervisor-Demo", "PhD"),
    DemoUser("demo-trainee", "clinician", "Theo Trainee-Demo", "LPC-Associate", supervisor="demo-supervisor"),
    DemoUser("demo-biller", "biller", "Billie Biller-Demo"),
    DemoUser(DEMO_ADMIN, "admin", f"Demo Admin {DEMO_MARK}"),
)

# Shorthand sessions written for the demo (synthetic), in the session-file format (SCHEMA.md §1).
# Their dates are placeholders: each is moved to its place relative to today.
CLIENT_B_EARLIER = (
    """
session: {date: 2026-01-01, start: "10:00", end: "10:50", type: intake, setting: telehealth, modality: CBT}
measures:
  - {instrument: PHQ-9, items: [3, 2, 2, 2, 2, 2, 2, 2, 1]}
  - {instrument: GAD-7, score: 11}
text: |
  Intake, video visit, cl at home, location confirmed. Referred by PCP for low mood since a breakup in
  the spring. Stopped swimming, the activity she valued most. Sleeping 5 hrs, waking at 4am.
  Risk: PHQ-9 item 9 = 1, passive thoughts "it would be easier not to wake up" 2x this month; denies
  plan or intent, no hx of attempts, no firearms. Safety plan created: warning signs, sister's number, 988.
  MSE: casually dressed, cooperative, affect constricted, speech soft, TP linear.
  Plan: weekly CBT, activity log daily, next session in one wk.
""",
    """
session: {date: 2026-01-01, start: "10:00", end: "10:51", type: individual, setting: telehealth,
          modality: CBT}
measures:
  - {instrument: PHQ-9, items: [2, 2, 2, 2, 2, 2, 2, 1, 1]}
  - {instrument: GAD-7, score: 9}
text: |
  Video visit, cl at home alone, location confirmed.
  S: Cl reports mood 3/10. Completed activity log 4 of 7 days. One short walk. Passive SI once this wk,
  "just tired of feeling like this"; denies plan or intent.
  I: Psychoeducation on the activity-mood link. Reviewed safety plan; cl keeps it on her phone.
  Scheduled 2 short walks and one call to her sister.
  R: Engaged, tearful when talking about the pool.
  P: HW: activity log daily; 2 walks; call sister. Next session in one wk, video.
""",
)

CLIENT_C_EARLIER = (
    """
session: {date: 2026-01-01, start: "15:00", end: "15:50", type: intake, setting: outpatient, modality: MI}
measures:
  - {instrument: PCL-5, score: 48}
  - {instrument: GAD-7, score: 12}
text: |
  Intake. Self-referred at his sister's urging. Forklift accident at work in the summer, coworker injured;
  nightmares 3-4x a week, avoids the loading bay, jumpy at reversing alarms. Smokes cannabis nightly "to
  sleep without the dream."
  Risk: denies SI/HI, no plan or intent, no hx of attempts.
  MSE: casually dressed, restless, affect anxious, TP linear.
  Plan: weekly sessions; sleep and cannabis log; next session in one wk.
""",
    """
session: {date: 2026-01-01, start: "15:00", end: "15:48", type: individual, setting: outpatient, modality: MI}
measures:
  - {instrument: PCL-5, score: 42}
text: |
  S: Cl reports nightmares 2-3x this wk. Smoked every night; kept the log 5 of 7 days.
  I: Reviewed log. Decisional balance on nightly use: sleeps faster vs foggy mornings and the money.
  Psychoeducation on cannabis and REM rebound.
  R: Engaged; importance of cutting down 6/10.
  Risk: Denies SI/HI.
  P: HW: keep the log; one evening without cannabis. Next session in one wk.
""",
)

# PCL-5 alongside the MI transcript (it has no measures of its own): the trajectory ends at 36.
CLIENT_C_LAST_PCL5 = 36


class DemoClock:
    """A clock the demo sets, so each draft and signature happens minutes after its session."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def now(self) -> datetime:
        return self.at or datetime.now(UTC)


@dataclass
class _Seeder:
    service: RecordService
    app: App
    clock: DemoClock
    tz: tzinfo
    today: date

    def session(
        self, source: str, content: str | None, day: date, start: time | None, end: time | None
    ) -> Session:
        """A session from an example file (or inline text), moved to ``day``; goals, diagnoses and
        prior notes are left to the record (the client's plan and signed notes)."""
        if content is None:
            content = (EXAMPLES / source).read_text(encoding="utf-8")
        parsed = parse_session(source, content, self.app.knowledge.instruments)
        meta = replace(parsed.meta, date=day, start=start or parsed.meta.start, end=end or parsed.meta.end)
        return replace(parsed, meta=meta, goals=(), diagnoses=(), prior_notes=())

    def at(self, day: date, clock: time | None, minutes_after: float) -> None:
        """Set the clock ``minutes_after`` the given wall-clock time on ``day`` (clinic time)."""
        wall = datetime.combine(day, clock or time(12, 0), tzinfo=self.tz)
        self.clock.at = (wall + timedelta(minutes=minutes_after)).astimezone(UTC)

    def draft(self, who: Actor, client_id: int, session: Session, minutes_after_end: float = 2) -> NoteRecord:
        assert session.meta.date is not None
        self.at(session.meta.date, session.meta.end, minutes_after_end)
        return self.service.draft_note(who, client_id, session).note

    def touch_up(self, who: Actor, note: NoteRecord, line: str, minutes_after_end: float) -> NoteRecord:
        """The clinician's own edit before signing (gives the pilot figures a real edit ratio)."""
        self._at_note(note, minutes_after_end)
        return self.service.edit_note(who, note.id, f"{note.body.rstrip()}\n{line}\n", note.version)

    def sign(self, who: Actor, note: NoteRecord, minutes_after_end: float) -> NoteRecord:
        self._at_note(note, minutes_after_end)
        return self.service.sign_note(who, note.id, note.version)

    def _at_note(self, note: NoteRecord, minutes_after_end: float) -> None:
        s = self.service.get_session(Actor(note.author_id, "demo", channel="cli"), note.session_id)
        assert s.date_of_service is not None
        self.at(s.date_of_service, s.end, minutes_after_end)


def demo_users() -> Sequence[DemoUser]:
    """The demo accounts, in creation order."""
    return USERS


def run_demo(out: TextIO, settings: Settings | None = None) -> None:
    """Create the demo practice in the data folder and print the demo users' passwords once.

    A second run finds its own practice and changes nothing; a data folder holding anyone else's
    practice is refused with :class:`~notewell.errors.UsageError` (exit 2).
    """
    settings = settings or Settings.from_env()
    clock = DemoClock()
    record = open_record(settings, create=True, clock=clock)
    try:
        service = record.service
        operator = _operator()
        where = _where(settings, record.database.engine.url.render_as_string(hide_password=True))
        existing = service.list_users(operator)
        if existing:
            _refuse_or_report(existing, where, out)
            return
        tz = service.policy.timezone
        seeder = _Seeder(service, record.drafter.app, clock, tz, datetime.now(tz).date())
        passwords: list[tuple[User, str]] = []
        for spec in USERS[:-1]:
            passwords.append(_add(service, operator, spec))
        actors = {u.username: Actor(u.id, u.username, channel="cli") for u, _ in passwords}
        _seed(seeder, actors)
        clock.at = None  # the admin (the demo's completion mark) is created at the real time
        passwords.append(_add(service, operator, USERS[-1]))
    finally:
        record.close()
    print(f"demo practice created in {where}", file=out)
    print("", file=out)
    print("  username          role        password (shown once; not stored anywhere in clear)", file=out)
    for user, password in passwords:
        role = "trainee" if user.supervisor_id else user.role
        print(f"  {user.username:<17} {role:<11} {password}", file=out)
    print("", file=out)
    print("three synthetic demo clients: Demo client A, B and C (sessions, drafts, scores, notes)", file=out)
    print(
        "serve it with `notewell serve` (make run does) and open http://127.0.0.1:8000 (the default)",
        file=out,
    )
    print(f"to start over, remove {where} (or point NOTEWELL_DATA_DIR at another folder)", file=out)


def _operator() -> Actor:
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        login = "unknown"
    return Actor.operator(login)


def _where(settings: Settings, url: str) -> str:
    return str(settings.data_dir) if settings.database_url is None else url


def _add(service: RecordService, operator: Actor, spec: DemoUser) -> tuple[User, str]:
    return service.add_user(
        operator,
        spec.username,
        spec.role,
        full_name=spec.full_name,
        credentials=spec.credentials,
        supervisor=spec.supervisor,
    )


def _refuse_or_report(existing: Sequence[User], where: str, out: TextIO) -> None:
    mark = next((u for u in existing if u.username == DEMO_ADMIN and DEMO_MARK in u.full_name), None)
    if mark is not None:
        print(f"the demo practice already exists in {where}; nothing changed", file=out)
        print(
            "(its passwords were shown when it was created; to start over, remove the folder "
            "or set NOTEWELL_DATA_DIR to a new one and run `notewell demo` again)",
            file=out,
        )
        return
    demo_names = {u.username for u in USERS}
    if all(u.username in demo_names for u in existing):
        raise UsageError(
            f"{where} holds an incomplete demo practice (an earlier `notewell demo` stopped part-way); "
            "remove it and run `notewell demo` again"
        )
    raise UsageError(
        f"{where} already holds a practice that is not the demo; the demo never touches a real record. "
        "Point NOTEWELL_DATA_DIR at an empty folder to try the demo."
    )


def _seed(s: _Seeder, actors: dict[str, Actor]) -> None:
    if not EXAMPLES.is_dir():
        raise ConfigurationError(f"the demo needs the bundled example sessions in {EXAMPLES}")
    _client_a(s, actors["demo-clinician"])
    _client_b(s, actors["demo-clinician"])
    _client_c(s, actors["demo-trainee"], actors["demo-supervisor"])


def _week(s: _Seeder, weeks_ago: int) -> date:
    return s.today - timedelta(weeks=weeks_ago)


def _client_a(s: _Seeder, dana: Actor) -> None:
    """Depression and drinking, five sessions over five weeks: the trends example, all signed."""
    svc = s.service
    client, _ = svc.open_client(dana, "Demo client A (EX-0105)")
    svc.record_consent(dana, client.id, _week(s, 5))
    svc.record_diagnosis(dana, client.id, "F32.1", "Major depressive disorder, single episode, moderate")
    svc.record_diagnosis(dana, client.id, "F10.10", "Alcohol use disorder, mild")
    svc.record_treatment_plan(
        dana,
        client.id,
        [
            ("G1", "Reduce depressive symptoms to PHQ-9 below 10"),
            ("G2", "Cut drinking to no more than 2 drinks on 2 evenings a week"),
        ],
    )
    files = ("01-intake.yaml", "02.yaml", "03.yaml", "04.yaml", "05.yaml")
    edits = {
        0: "Client agreed to the safety plan and took a copy home.",
        2: "Client rated the session as helpful.",
    }
    for i, name in enumerate(files):
        day = _week(s, 5 - i)
        note = s.draft(dana, client.id, s.session(f"trends/{name}", None, day, None, None))
        if i in edits:
            note = s.touch_up(dana, note, edits[i], 9 + i)
        # The fourth is signed two days later: the record labels it a late entry.
        signed = s.sign(dana, note, 2 * 24 * 60 + 30 if i == 3 else 12 + 4 * i)
        if i == 1:
            s.at(day + timedelta(days=2), time(9, 30), 0)
            svc.add_addendum(
                dana,
                signed.id,
                "Client phoned two days later: he kept to two beers on Tuesday and asked to move the next "
                "session by one hour. Plan unchanged.",
                reason="late information",
            )
    s.at(_week(s, 1), time(16, 10), 0)
    svc.write_private_note(
        dana,
        client.id,
        "Process note (private, not part of the record): notice my urge to rescue when he talks about "
        "his son; bring to supervision.",
    )


def _client_b(s: _Seeder, dana: Actor) -> None:
    """Depression, shorthand notes: two signed weeks ago, today's session an unsigned draft."""
    svc = s.service
    client, _ = svc.open_client(dana, "Demo client B (EX-0001)")
    svc.record_consent(dana, client.id, _week(s, 2))
    svc.record_diagnosis(dana, client.id, "F32.1", "Major depressive disorder, single episode, moderate")
    svc.record_treatment_plan(
        dana,
        client.id,
        [
            ("G1", "Reduce depressive symptoms to PHQ-9 below 10 within 12 weeks"),
            ("G2", "Return to swimming or another valued activity at least twice a week"),
        ],
    )
    for weeks_ago, content in zip((2, 1), CLIENT_B_EARLIER, strict=True):
        day = _week(s, weeks_ago)
        note = s.draft(dana, client.id, s.session(f"demo-b-{weeks_ago}.yaml", content, day, None, None))
        s.sign(dana, note, 18 + weeks_ago)
    # Today's session ended a few minutes ago (the draft waits on the dashboard for review).
    now = datetime.now(s.tz)
    start, end = None, None
    if now.hour >= 1:
        end_at = now - timedelta(minutes=5)
        start_at = end_at - timedelta(minutes=52)
        if start_at.date() == now.date():
            start, end = (
                start_at.time().replace(second=0, microsecond=0),
                end_at.time().replace(second=0, microsecond=0),
            )
    today = s.session("cbt-depression-shorthand.yaml", None, s.today, start, end)
    if start is None:  # just after midnight: no times rather than times in the future
        today = replace(today, meta=replace(today.meta, start=None, end=None))
    s.clock.at = None
    svc.draft_note(dana, client.id, today)


def _client_c(s: _Seeder, theo: Actor, sam: Actor) -> None:
    """PTSD symptoms and cannabis use, seen by the trainee: revision requested then co-signed,
    co-signed, and the latest awaiting co-signature."""
    svc = s.service
    client, _ = svc.open_client(theo, "Demo client C (EX-0002)")
    svc.record_consent(theo, client.id, _week(s, 3))
    svc.record_diagnosis(theo, client.id, "F43.10", "Post-traumatic stress disorder, unspecified")
    svc.record_diagnosis(theo, client.id, "F12.10", "Cannabis abuse, uncomplicated")
    svc.record_treatment_plan(
        theo,
        client.id,
        [
            ("G1", "Reduce cannabis use from daily to weekends only"),
            ("G2", "Fewer than 2 nightmares a week and PCL-5 below 33"),
        ],
    )
    first = s.draft(theo, client.id, s.session("demo-c-3.yaml", CLIENT_C_EARLIER[0], _week(s, 3), None, None))
    first = _ask_cosign(s, theo, first, 20)
    s._at_note(first, 3 * 60)  # the supervisor reviews the same afternoon
    first = svc.request_revision(
        sam, first.id, first.version, "Add the safety screening result and the PCL-5 total to the note."
    )
    first = s.touch_up(theo, first, "PCL-5 total 48. Safety screening: denies SI/HI.", 4 * 60)
    first = _ask_cosign(s, theo, first, 4 * 60 + 5)
    s._at_note(first, 22 * 60)
    svc.cosign_note(sam, first.id, first.version, "Thanks, complete now.")

    second = s.draft(
        theo, client.id, s.session("demo-c-2.yaml", CLIENT_C_EARLIER[1], _week(s, 2), None, None)
    )
    second = _ask_cosign(s, theo, second, 15)
    s._at_note(second, 22 * 60)
    svc.cosign_note(sam, second.id, second.version)

    day = s.today - timedelta(days=2)
    latest = s.draft(theo, client.id, s.session("mi-cannabis-transcript.yaml", None, day, None, None))
    session_id = latest.session_id
    svc.record_measure(
        theo, client.id, "PCL-5", CLIENT_C_LAST_PCL5, administered_on=day, session_id=session_id
    )
    _ask_cosign(s, theo, latest, 25)


def _ask_cosign(s: _Seeder, trainee: Actor, note: NoteRecord, minutes_after_end: float) -> NoteRecord:
    s._at_note(note, minutes_after_end)
    return s.service.request_cosign(trainee, note.id, note.version)
