"""Password hashes for logins: argon2id with argon2-cffi's recommended parameters."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PasswordHasher:
    """``hash`` gives an encoded argon2id string (salt and parameters inside); ``verify`` never raises."""

    def __init__(self) -> None:
        self._argon2 = _Argon2()

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._argon2.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False
