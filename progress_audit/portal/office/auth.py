"""The office's password, sessions, CSRF tokens and lock-out (督查室登录), as plain functions.

- The password comes from the `office_password` setting (or PROGRESS_AUDIT_OFFICE_PASSWORD),
  hashed with scrypt when the portal starts; a value `scrypt$n$r$p$salt$hash` is a hash
  already (`hash_password`), so the plain password need never be written down.
- A session is a signed cookie (HMAC-SHA256 under the workspace's portal key) that ends after
  `SESSION_SECONDS`: every web worker checks it alike, and nothing is stored. Its CSRF token is
  another HMAC of the same session, sent in every form (and the `X-CSRF-Token` header).
- Programs use HTTP Basic with user `office` and the same password (no cookie, no CSRF).
- After `MAX_FAILURES` failed attempts from one address within `LOCK_SECONDS`, that address is
  refused for `LOCK_SECONDS`, the right password included.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
BASIC_USER = "office"
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


def basic_password(header: str | None) -> str | None:
    """The password of an `Authorization: Basic` header for user `office`, or None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password if user == BASIC_USER else None


@dataclass
class Sessions:
    """Signed session cookies and their CSRF tokens under `key` (the workspace's portal key)."""

    key: bytes
    clock: Callable[[], float] = time.time

    def _sign(self, text: str) -> str:
        mac = hmac.new(self.key, f"office-session\n{text}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def new(self) -> str:
        body = f"{int(self.clock()) + SESSION_SECONDS}.{secrets.token_hex(8)}"
        return f"{body}.{self._sign(body)}"

    def valid(self, cookie: str | None) -> bool:
        if not cookie or cookie.count(".") != 2:
            return False
        body, _, mac = cookie.rpartition(".")
        if not hmac.compare_digest(self._sign(body), mac):
            return False
        try:
            return int(body.split(".")[0]) > self.clock()
        except ValueError:
            return False

    def csrf(self, cookie: str) -> str:
        return self._sign(f"csrf\n{cookie}")

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        return bool(cookie and token) and hmac.compare_digest(self.csrf(cookie), token)  # type: ignore[arg-type]


@dataclass
class LockOut:
    """Failed attempts by address; an address with too many is refused for a while."""

    clock: Callable[[], float] = time.monotonic
    failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def locked(self, who: str) -> bool:
        now = self.clock()
        with self._lock:
            recent = [t for t in self.failures.get(who, []) if now - t < LOCK_SECONDS]
            self.failures[who] = recent
            return len(recent) >= MAX_FAILURES

    def failed(self, who: str) -> None:
        with self._lock:
            self.failures.setdefault(who, []).append(self.clock())

    def succeeded(self, who: str) -> None:
        with self._lock:
            self.failures.pop(who, None)
