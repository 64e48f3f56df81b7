"""Encryption at rest: a master key, data keys wrapped by it, AES-GCM for every piece of content.

The master key comes from ``NOTEWELL_SECRET_KEY`` or, when that is unset, from
``<data dir>/secret.key`` (32 random bytes, base64, created with mode 0600 on first run and
refused if group or others can read it). The master key never encrypts content itself; it
wraps *data keys* that are stored in the database (``data_keys``), and derives two MAC keys:
one for the audit hash chain, one for the blind index that finds a client by label without
storing the label in clear.

A ciphertext is ``b"\\x01" + key id (16 ASCII hex) + nonce (12 bytes) + AES-GCM(ciphertext+tag)``,
with associated data naming the table and column (``notes.body``), so a ciphertext copied into
another column does not decrypt. ``notewell keys rotate`` adds a data key, re-encrypts every
ciphertext with it and deletes the old keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from notewell.errors import SecretKeyError, StorageError

FORMAT_VERSION = b"\x01"
KEY_ID_LEN = 16
NONCE_LEN = 12
MIN_PASSPHRASE = 32


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"notewell/" + purpose).derive(master)


def parse_secret(secret: str) -> bytes:
    """The 32-byte master key from ``NOTEWELL_SECRET_KEY``.

    Accepts 32 bytes in base64 (``openssl rand -base64 32``) or hex, or a passphrase of at
    least 32 characters (stretched with HKDF). Anything shorter is refused: a short secret
    protecting every note in the practice is a mistake worth stopping for.
    """
    value = secret.strip()
    for decode in (base64.b64decode, bytes.fromhex):
        try:
            raw = decode(value)
        except (binascii.Error, ValueError):
            continue
        if len(raw) == 32:
            return raw
    if len(value) < MIN_PASSPHRASE:
        raise SecretKeyError(
            f"NOTEWELL_SECRET_KEY is too short: use 32 random bytes in base64 "
            f"(openssl rand -base64 32) or a passphrase of at least {MIN_PASSPHRASE} characters"
        )
    return _derive(value.encode("utf-8"), b"passphrase")


def load_or_create_key_file(path: Path, create: bool) -> bytes:
    """Read the key file (mode 0600), creating it with a fresh random key when ``create``."""
    if not path.exists():
        if not create:
            raise SecretKeyError(
                f"{path}: no key file; run `notewell init` "
                "(or set NOTEWELL_SECRET_KEY to this database's key)"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return load_or_create_key_file(path, create=False)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(base64.b64encode(key).decode("ascii") + "\n")
        return key
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SecretKeyError(f"{path}: key file is readable by others (mode {mode:o}); run chmod 600 on it")
    try:
        raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise SecretKeyError(f"{path}: key file is not a base64 key") from None
    if len(raw) != 32:
        raise SecretKeyError(f"{path}: key file must hold 32 bytes, holds {len(raw)}")
    return raw


def new_key_id() -> str:
    return secrets.token_hex(KEY_ID_LEN // 2)


def key_id_of(blob: bytes) -> str:
    """The id of the data key a ciphertext was made with."""
    return blob[1 : 1 + KEY_ID_LEN].decode("ascii")


@dataclass
class Keyring:
    """The master key's derived keys plus the unwrapped data keys (by id), one of them active."""

    master: bytes = field(repr=False)
    data_keys: dict[str, bytes] = field(default_factory=dict, repr=False)
    active: str | None = None

    def __post_init__(self) -> None:
        self._wrap = AESGCM(_derive(self.master, b"wrap"))
        self.audit_key = _derive(self.master, b"audit-chain")
        self.index_key = _derive(self.master, b"blind-index")

    # -- data keys ---------------------------------------------------------------------------

    def wrap(self, kid: str, key: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_LEN)
        return nonce + self._wrap.encrypt(nonce, key, b"notewell data key " + kid.encode())

    def unwrap(self, kid: str, wrapped: bytes) -> bytes:
        try:
            return self._wrap.decrypt(
                wrapped[:NONCE_LEN], wrapped[NONCE_LEN:], b"notewell data key " + kid.encode()
            )
        except InvalidTag:
            raise SecretKeyError(
                "the secret key does not open this database (NOTEWELL_SECRET_KEY or the key file is "
                "not the one it was created with)"
            ) from None

    def new_data_key(self) -> tuple[str, bytes]:
        return new_key_id(), AESGCM.generate_key(bit_length=256)

    # -- content -----------------------------------------------------------------------------

    def encrypt(self, plaintext: str, where: str) -> bytes:
        """Encrypt text for the column ``where`` (e.g. ``notes.body``) with the active key."""
        if self.active is None:
            raise StorageError("no active data key; the database is not initialised")
        nonce = secrets.token_bytes(NONCE_LEN)
        sealed = AESGCM(self.data_keys[self.active]).encrypt(nonce, plaintext.encode("utf-8"), where.encode())
        return FORMAT_VERSION + self.active.encode("ascii") + nonce + sealed

    def decrypt(self, blob: bytes, where: str) -> str:
        """Decrypt a ciphertext made for ``where``; a tampered or misplaced one is refused."""
        if not blob or blob[:1] != FORMAT_VERSION:
            raise StorageError(f"{where}: not a Notewell ciphertext")
        kid = key_id_of(blob)
        key = self.data_keys.get(kid)
        if key is None:
            raise StorageError(f"{where}: encrypted with unknown key {kid}")
        start = 1 + KEY_ID_LEN
        try:
            plain = AESGCM(key).decrypt(
                blob[start : start + NONCE_LEN], blob[start + NONCE_LEN :], where.encode()
            )
        except InvalidTag:
            raise StorageError(f"{where}: ciphertext failed authentication (changed or misplaced)") from None
        return plain.decode("utf-8")

    def blind_index(self, label: str) -> str:
        """A keyed hash of a client label (case- and space-insensitive) to find it without storing it."""
        normal = " ".join(label.split()).casefold()
        return hmac.new(self.index_key, normal.encode("utf-8"), hashlib.sha256).hexdigest()

    def chain_mac(self, prev: str, canonical: str) -> str:
        """The audit chain link: HMAC-SHA256(audit key, previous hash + this row)."""
        return hmac.new(self.audit_key, (prev + "\n" + canonical).encode("utf-8"), hashlib.sha256).hexdigest()
