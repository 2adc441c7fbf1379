"""The office's people, their sessions and the lock-out (督查室账号), in the ledger's database,
so every web worker (and every machine sharing a PostgreSQL ledger) sees the same.

- An account is a name and the scrypt hash of its password (`portal users add NAME`); the
  `office_password` setting is the account `office`, hashed when the portal starts.
- A session is a random token in a cookie; the database keeps only its sha256, the name, its
  CSRF token and when it ends. Logging out deletes it: the old cookie opens nothing.
- Five wrong passwords for one name within `LOCK_SECONDS` lock that name for `LOCK_SECONDS`,
  the right password included.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Literal

import sqlalchemy as sa

from progress_audit.portal.office.auth import check_password, hash_password

if TYPE_CHECKING:
    from progress_audit.intake.ledger import Ledger

SHARED_ACCOUNT = "office"
"""The account of the `office_password` setting."""
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
MAX_NAME = 40

_meta = sa.MetaData()
USERS = sa.Table(
    "office_users",
    _meta,
    sa.Column("name", sa.String(MAX_NAME), primary_key=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("since", sa.String(40), nullable=False),
)
SESSIONS = sa.Table(
    "office_sessions",
    _meta,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("ends", sa.String(40), nullable=False),
)
FAILURES = sa.Table(
    "office_failures",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False, index=True),
    sa.Column("at", sa.String(40), nullable=False),
)
LOCKS = sa.Table(
    "office_locks",
    _meta,
    sa.Column("name", sa.String(MAX_NAME), primary_key=True),
    sa.Column("until", sa.String(40), nullable=False),
)


class AccountError(ValueError):
    """An account that cannot be added or removed; the message says why, in Chinese."""


@dataclass(frozen=True)
class Clerk:
    """A person signed in at the office (督查室人员), by session or HTTP Basic."""

    name: str
    csrf: str | None = None
    """The session's CSRF token; None for a program using HTTP Basic (no cookie, no CSRF)."""


Verdict = Literal["ok", "wrong", "locked"]


def prepare(ledger: Ledger) -> None:
    """Create the tables on first use."""
    ledger.ensure_tables(_meta)


# -- accounts -------------------------------------------------------------------------------


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(c in name for c in ":/\\\n\r\t"):
        raise AccountError(f"账号名“{name[:MAX_NAME]}”不可用：1–{MAX_NAME} 个字符，不含冒号、斜杠")
    if name == SHARED_ACCOUNT:
        raise AccountError(
            f"账号名“{SHARED_ACCOUNT}”留给 office_password 设置的公用账号，请换一个名字"
        )
    return name


def add_user(ledger: Ledger, name: str, password: str, at: datetime) -> str:
    """Add a person (their password kept only as its scrypt hash); the name as kept."""
    name = check_name(name)
    if len(password) < 8:
        raise AccountError("密码至少 8 个字符")
    prepare(ledger)
    row = {"name": name, "password_hash": hash_password(password), "since": _iso(at)}
    with ledger.engine.begin() as conn:
        if conn.execute(sa.select(USERS.c.name).where(USERS.c.name == name)).first():
            raise AccountError(f"账号“{name}”已存在：如需改密码，请先删除再添加")
        conn.execute(USERS.insert(), row)
    return name


def remove_user(ledger: Ledger, name: str) -> None:
    """Remove a person and end their sessions at once."""
    prepare(ledger)
    with ledger.engine.begin() as conn:
        if not conn.execute(USERS.delete().where(USERS.c.name == name)).rowcount:
            raise AccountError(f"没有账号“{name}”")
        conn.execute(SESSIONS.delete().where(SESSIONS.c.name == name))


def users(ledger: Ledger) -> list[tuple[str, str]]:
    """Every named account (name, since), by name."""
    prepare(ledger)
    with ledger.engine.connect() as conn:
        rows = conn.execute(sa.select(USERS.c.name, USERS.c.since).order_by(USERS.c.name)).all()
    return [(r.name, r.since) for r in rows]


def any_account(ledger: Ledger, shared_hash: str | None) -> bool:
    return shared_hash is not None or bool(users(ledger))


# -- signing in -----------------------------------------------------------------------------


def sign_in(
    ledger: Ledger, name: str, password: str, shared_hash: str | None, at: datetime
) -> Verdict:
    """Check a name and password: `locked` while the name is locked (the password is not even
    looked at), `wrong` (counted; the fifth within LOCK_SECONDS locks the name), or `ok`."""
    prepare(ledger)
    name = name.strip()[:MAX_NAME]
    if locked(ledger, name, at):
        return "locked"
    stored = shared_hash if name == SHARED_ACCOUNT else _hash_of(ledger, name)
    # An unknown name costs the same scrypt as a known one: the time tells no names.
    if check_password(password, stored or _unknown()) and stored is not None:
        with ledger.engine.begin() as conn:
            conn.execute(FAILURES.delete().where(FAILURES.c.name == name))
        return "ok"
    since = _iso(at - timedelta(seconds=LOCK_SECONDS))
    with ledger.engine.begin() as conn:
        conn.execute(FAILURES.insert(), {"name": name, "at": _iso(at)})
        recent = conn.execute(
            sa.select(sa.func.count())
            .select_from(FAILURES)
            .where(FAILURES.c.name == name, FAILURES.c.at > since)
        ).scalar_one()
        if recent >= MAX_FAILURES:
            until = _iso(at + timedelta(seconds=LOCK_SECONDS))
            conn.execute(LOCKS.delete().where(LOCKS.c.name == name))
            conn.execute(LOCKS.insert(), {"name": name, "until": until})
            conn.execute(FAILURES.delete().where(FAILURES.c.name == name))
    return "wrong"


@cache
def _unknown() -> str:
    return hash_password(secrets.token_urlsafe(16))


def locked(ledger: Ledger, name: str, at: datetime) -> bool:
    with ledger.engine.connect() as conn:
        until = conn.execute(sa.select(LOCKS.c.until).where(LOCKS.c.name == name)).scalar()
    return until is not None and until > _iso(at)


def _hash_of(ledger: Ledger, name: str) -> str | None:
    with ledger.engine.connect() as conn:
        return conn.execute(
            sa.select(USERS.c.password_hash).where(USERS.c.name == name)
        ).scalar_one_or_none()


# -- sessions -------------------------------------------------------------------------------


def open_session(ledger: Ledger, name: str, at: datetime) -> str:
    """A new session for `name`: the cookie's token (the database keeps only its sha256)."""
    prepare(ledger)
    token = secrets.token_urlsafe(32)
    row = {
        "token_sha256": _digest(token),
        "name": name,
        "csrf": secrets.token_urlsafe(32),
        "ends": _iso(at + timedelta(seconds=SESSION_SECONDS)),
    }
    with ledger.engine.begin() as conn:
        conn.execute(SESSIONS.delete().where(SESSIONS.c.ends < _iso(at)))  # the ended ones
        conn.execute(SESSIONS.insert(), row)
    return token


def session_clerk(ledger: Ledger, token: str | None, at: datetime) -> Clerk | None:
    """The person whose session the cookie carries, or None (no such session, or ended)."""
    if not token or len(token) > 100:
        return None
    prepare(ledger)
    with ledger.engine.connect() as conn:
        row = conn.execute(
            sa.select(SESSIONS.c.name, SESSIONS.c.csrf, SESSIONS.c.ends).where(
                SESSIONS.c.token_sha256 == _digest(token)
            )
        ).first()
    if row is None or row.ends <= _iso(at):
        return None
    return Clerk(row.name, row.csrf)


def close_session(ledger: Ledger, token: str | None) -> None:
    """End a session on the server: its cookie opens nothing from now on."""
    if not token:
        return
    prepare(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(SESSIONS.delete().where(SESSIONS.c.token_sha256 == _digest(token)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def _iso(at: datetime) -> str:
    """A moment as sortable text (UTC, microseconds): compared as strings in SQL."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")
