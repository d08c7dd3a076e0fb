"""The password hasher: Argon2id with the parameters of OWASP's Password
Storage Cheat Sheet (its first configuration: m = 19 MiB, t = 2, p = 1).

Django's own ``Argon2PasswordHasher`` uses 100 MiB and 8 lanes, about four
times the CPU per check on our two-core servers; OWASP rates these settings
as equally strong against GPU cracking for their memory-hardness. The
algorithm name stays ``argon2``, so hashes made with other Argon2 parameters
still verify and ``must_update`` re-hashes them with these at the next login
(as Django re-hashes PBKDF2 ones, PASSWORD_HASHERS order).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB (``memory_cost`` in KiB), 2 passes, 1 lane."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
