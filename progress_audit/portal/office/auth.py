"""Office passwords and HTTP Basic (督查室口令), as plain functions.

- A password is kept only as its scrypt hash, `scrypt$n$r$p$<salt hex>$<hash hex>`; the
  `office_password` setting may hold such a hash already (`hash_password`), so the plain
  password need never be written down.
- Programs use HTTP Basic with an account's name and password (no cookie, no CSRF).

Accounts, sessions and the lock-out live in the ledger's database (`accounts`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
COOKIE = "pa_office"
LOGIN_COOKIE = "pa_login"


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$n$r$p$<salt hex>$<hash hex>`."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    n, r, p = SCRYPT["n"], SCRYPT["r"], SCRYPT["p"]
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def password_hash(setting: str) -> str:
    """The setting as a hash: a `scrypt$…` value as it is, a plain password hashed."""
    return setting if setting.startswith("scrypt$") else hash_password(setting)


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        given = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            dklen=len(digest) // 2,
            n=int(n),
            r=int(r),
            p=int(p),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given.hex(), digest)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """The (name, password) of an `Authorization: Basic` header, or None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        text = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, colon, password = text.partition(":")
    return (name, password) if colon else None
