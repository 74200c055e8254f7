"""API keys: generated with 256 bits of entropy, shown once, stored only as a hash.

A key reads ``nmk_<key id>_<secret>``. Redis keeps the SHA-256 of the whole key under its id;
a lookup hashes what the client sent and compares in constant time. SHA-256 (not a password
hash) is the right tool here: the secret is random and long, so there is nothing to brute-force
that a slow hash would protect.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "nmk"


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    key: str

    @property
    def digest(self) -> str:
        return hash_key(self.key)


def issue_key() -> IssuedKey:
    key_id = secrets.token_hex(6)
    return IssuedKey(key_id, f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_id_of(key: str) -> str | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1]:
        return None
    return parts[1]


def matches(key: str, digest: str) -> bool:
    return hmac.compare_digest(hash_key(key), digest)
