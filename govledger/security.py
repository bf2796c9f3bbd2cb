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


# ---------------------------------------------------------------------------- password policy

MIN_PASSWORD = 10
MIN_STRENGTH = 2  # zxcvbn score 0–4; 2 refuses dictionary words, keyboard runs, names with a year and the like


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is not acceptable for ``username`` (Chinese, one line), or ``None``.

    Length first (cheap and easy to explain), then the user name, then a
    guessability estimate by ``zxcvbn``, whose bundled frequency lists hold
    the common passwords (password, 12345678, qwerty…) and which also catches
    repeats (aaaaaaaaaa) and sequences.
    """
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 位"
    if not password.strip() or len(set(password)) < 3:
        return "密码不能全是空格或同一个字符"
    name = username.strip().lower()
    if name and name in password.lower():
        return "密码不能包含用户名"
    from zxcvbn import zxcvbn

    if int(zxcvbn(password[:100], user_inputs=[name] if name else [])["score"]) < MIN_STRENGTH:
        return "密码太常见或太容易猜到，请换一个更长、更不规则的密码"
    return None
