"""Password hashes for logins: argon2id with argon2-cffi's recommended parameters."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PasswordHasher:
    """``hash`` gives an encoded argon2id string (salt and parameters inside); ``verify`` never raises.

    The defaults are argon2-cffi's (RFC 9106 low-memory profile: 64 MiB, 3 passes, about 0.4 s
    on a 2-core server); tests pass cheaper parameters. Existing hashes keep verifying when
    the parameters change, because each hash records its own.
    """

    def __init__(
        self, time_cost: int | None = None, memory_cost: int | None = None, parallelism: int | None = None
    ) -> None:
        default = _Argon2()
        self._argon2 = _Argon2(
            time_cost=time_cost or default.time_cost,
            memory_cost=memory_cost or default.memory_cost,
            parallelism=parallelism or default.parallelism,
        )

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._argon2.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False
