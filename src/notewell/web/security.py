"""Web sessions, CSRF tokens, login throttling and TOTP secrets.

**Sessions are signed cookies, not server memory.** ``notewell serve --workers 2`` runs two
processes; a session kept in one process's memory would log the clinician out whenever the
next request landed on the other. The cookie carries only ids and timestamps (user id,
username, a random session id, the CSRF token, when it was issued, when it was last used) —
never PHI — and an HMAC-SHA256 over them with a key derived from the record's master key, so
every worker verifies it and nobody can forge or alter one. The idle timeout is enforced on the
server: a cookie whose ``last_seen`` is older than ``NOTEWELL_IDLE_MINUTES`` (default 15) is
refused whatever the browser does, and each request re-issues the cookie with a fresh
``last_seen`` (sliding window). A session also ends 12 hours after login whatever happens.

Limits, stated plainly: logging out deletes the cookie in the browser; a copy stolen before
logout stays usable until its idle timeout (at most 15 minutes by default). The login throttle
keeps its counts in ``<data dir>/web-logins.json`` under a file lock, shared by the workers of
one machine (several machines behind a load balancer would each count on their own). TOTP
secrets are kept encrypted (AES-GCM, key derived from the master key) in
``<data dir>/web-totp.json``, shared by the workers of one machine.

Example: Dana logs in at 09:00, writes a note until 09:20, steps away; at 09:36 her next click
finds ``last_seen`` 09:20 + 15 min passed, the cookie is refused and she is sent to the login
page ("Your session timed out").
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp

from notewell.storage.crypto import Keyring

SESSION_COOKIE = "nw_session"
MAX_SESSION_SECONDS = 12 * 3600
TOTP_KEY_ID = "web-totp-secret1"  # 16 ASCII characters: the Keyring's key-id width


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive_key(master: bytes, purpose: str) -> bytes:
    """A key for one purpose (``web-session``, ``web-totp``) from the record's master key."""
    return hmac.new(master, b"notewell/" + purpose.encode("ascii"), hashlib.sha256).digest()


@dataclass
class WebSession:
    """What the session cookie says. ``user_id`` is ``None`` before login (the cookie then only
    carries the CSRF token the login form needs); ``pending_totp`` is set between a correct
    password and a correct one-time code."""

    csrf: str
    issued: float
    last_seen: float
    sid: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    user_id: int | None = None
    username: str = ""
    pending_totp: bool = False
    flash: str = ""

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None and not self.pending_totp

    @classmethod
    def anonymous(cls, now: float) -> WebSession:
        return cls(csrf=secrets.token_urlsafe(32), issued=now, last_seen=now)

    @classmethod
    def for_user(cls, user_id: int, username: str, now: float, pending_totp: bool = False) -> WebSession:
        """A new session (new id and CSRF token, so a pre-login cookie cannot be fixated)."""
        return cls(
            csrf=secrets.token_urlsafe(32),
            issued=now,
            last_seen=now,
            user_id=user_id,
            username=username,
            pending_totp=pending_totp,
        )


class SessionCodec:
    """Sign and verify session cookies; refuse expired, idle or altered ones."""

    def __init__(self, key: bytes, idle_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self._key = key
        self.idle_seconds = idle_seconds
        self.clock = clock

    def dump(self, session: WebSession) -> str:
        payload = json.dumps(
            {
                "c": session.csrf,
                "i": session.issued,
                "t": session.last_seen,
                "s": session.sid,
                "u": session.user_id,
                "n": session.username,
                "p": session.pending_totp,
                "f": session.flash,
            },
            separators=(",", ":"),
        ).encode("utf-8")
        mac = hmac.new(self._key, payload, hashlib.sha256).digest()
        return _b64(payload) + "." + _b64(mac)

    def load(self, cookie: str | None) -> tuple[WebSession | None, str]:
        """The session, or ``None`` and why: ``""`` (no cookie), ``"invalid"``, ``"expired"``."""
        if not cookie:
            return None, ""
        try:
            body, mac = cookie.split(".", 1)
            payload = _unb64(body)
            if not hmac.compare_digest(hmac.new(self._key, payload, hashlib.sha256).digest(), _unb64(mac)):
                return None, "invalid"
            data: dict[str, Any] = json.loads(payload)
            session = WebSession(
                csrf=str(data["c"]),
                issued=float(data["i"]),
                last_seen=float(data["t"]),
                sid=str(data["s"]),
                user_id=None if data["u"] is None else int(data["u"]),
                username=str(data["n"]),
                pending_totp=bool(data["p"]),
                flash=str(data.get("f", "")),
            )
        except (ValueError, KeyError, TypeError):
            return None, "invalid"
        now = self.clock()
        if now - session.last_seen > self.idle_seconds or now - session.issued > MAX_SESSION_SECONDS:
            return None, "expired"
        return session, ""


def csrf_ok(session: WebSession | None, given: str | None) -> bool:
    """The token sent with a state-changing request matches the session's (constant time)."""
    if session is None or not given:
        return False
    return hmac.compare_digest(session.csrf.encode("utf-8"), given.encode("utf-8"))


class LoginThrottle:
    """Lock an account after ``max_failures`` wrong passwords within ``window`` seconds, for
    ``lockout`` seconds; and slow down one address trying many accounts.

    A locked account is refused before its password is checked, with the same message whether
    or not the password would have been right (so the lock cannot be used as an oracle).

    With ``path`` the counts live in a small JSON file (``<data dir>/web-logins.json``, usernames
    and addresses with timestamps, no passwords) under an exclusive ``flock``, so every worker
    process of the server sees the same failures; without it they are kept in memory.
    """

    def __init__(
        self,
        max_failures: int = 5,
        window: float = 900,
        lockout: float = 900,
        per_address: int = 30,
        clock: Callable[[], float] = time.time,
        path: Path | None = None,
    ) -> None:
        self.max_failures, self.window, self.lockout = max_failures, window, lockout
        self.per_address = per_address
        self.clock = clock
        self.path = path
        self._memory: dict[str, Any] = {}
        self._lock = threading.Lock()

    @contextmanager
    def _state(self) -> Iterator[dict[str, Any]]:
        """The throttle's state, read and written back under a lock (thread and process)."""
        with self._lock:
            if self.path is None:
                yield self._memory
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            with os.fdopen(fd, "r+", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                try:
                    raw = fh.read()
                    try:
                        state = json.loads(raw) if raw.strip() else {}
                    except ValueError:  # a torn or hand-edited file: start counting afresh
                        state = {}
                    yield state
                    fh.seek(0)
                    fh.truncate()
                    json.dump(state, fh)
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)

    def _recent(self, stamps: list[float], now: float) -> list[float]:
        return [t for t in stamps if now - t < self.window]

    def blocked(self, username: str, address: str) -> bool:
        now = self.clock()
        with self._state() as state:
            if state.get("locked", {}).get(username, 0) > now:
                return True
            return len(self._recent(state.get("address", {}).get(address, []), now)) >= self.per_address

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._state() as state:
            fails = state.setdefault("fails", {})
            addresses = state.setdefault("address", {})
            locked = state.setdefault("locked", {})
            mine = [*self._recent(fails.get(username, []), now), now]
            fails[username] = mine
            addresses[address] = [*self._recent(addresses.get(address, []), now), now]
            if len(mine) >= self.max_failures:
                locked[username] = now + self.lockout
                fails[username] = []
            # forget what no longer matters, so the file stays small
            for table in (fails, addresses):
                for key in [k for k, v in table.items() if not self._recent(v, now)]:
                    del table[key]
            for key in [k for k, until in locked.items() if until <= now]:
                del locked[key]

    def succeeded(self, username: str) -> None:
        with self._state() as state:
            state.get("fails", {}).pop(username, None)


class TotpStore:
    """Per-user TOTP secrets, encrypted, in a small JSON file in the data folder.

    ``{"7": "<base64 AES-GCM ciphertext>"}``: the user id in clear, the secret sealed with a
    key derived from the master key and bound to that user id (a ciphertext copied onto
    another user does not open).
    """

    def __init__(self, path: Path, master: bytes) -> None:
        self.path = path
        self._ring = Keyring(master, {TOTP_KEY_ID: derive_key(master, "web-totp")}, TOTP_KEY_ID)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def _write(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, self.path)

    def secret_of(self, user_id: int) -> str | None:
        sealed = self._read().get(str(user_id))
        if sealed is None:
            return None
        return self._ring.decrypt(base64.b64decode(sealed), f"totp:{user_id}")

    def enabled(self, user_id: int) -> bool:
        return str(user_id) in self._read()

    def enrol(self, user_id: int, secret: str) -> None:
        with self._lock:
            data = self._read()
            data[str(user_id)] = base64.b64encode(self._ring.encrypt(secret, f"totp:{user_id}")).decode()
            self._write(data)

    def remove(self, user_id: int) -> None:
        with self._lock:
            data = self._read()
            if data.pop(str(user_id), None) is not None:
                self._write(data)

    @staticmethod
    def new_secret() -> str:
        return pyotp.random_base32()

    @staticmethod
    def verify(secret: str, code: str, at: float | None = None) -> bool:
        """A six-digit code from the authenticator app, one 30-second step of drift allowed."""
        code = "".join(code.split())
        if not code.isdigit() or len(code) != 6:
            return False
        try:
            return bool(pyotp.TOTP(secret).verify(code, for_time=at, valid_window=1))
        except ValueError:  # not a usable secret (too short, not base32)
            return False

    @staticmethod
    def provisioning_uri(secret: str, username: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="Notewell")
