"""Secrets of the workspace: argon2 password hashes and random tokens stored only as their SHA-256.

A stolen database then gives neither passwords (argon2id is slow to
guess) nor usable sessions or API tokens (only their hashes are kept).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD = 8


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    """True when ``password`` matches; a malformed stored hash is a mismatch, never an error."""
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_secret() -> str:
    """A URL-safe random token (256 bits) for a session cookie, an API token or a CSRF token."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
