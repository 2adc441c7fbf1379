"""Each lead unit's secret portal link (报送链接): `<base>/u/<token>`, no account.

A token is the HMAC-SHA256 of the unit's name and a random nonce under the workspace's portal
key (`DIR/portal.key`, 32 random bytes, readable by its owner only): 256 bits no one can guess
without the key. The ledger keeps only the nonce and the sha256 of the token, so a copy of the
ledger opens no page; the office can print the links again at any time from the key, and
rotating a unit's link (a new nonce) ends the old one at once, in every process.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from progress_audit.intake.ledger import Ledger

KEY_FILE = "portal.key"
LINK_PREFIX = "/u/"


def portal_key(workspace: Path) -> bytes:
    """The workspace's portal key, created on first use (0600; two processes creating it at
    once agree on the first one written)."""
    path = Path(workspace) / KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32).hex().encode())
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: use theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    key = bytes.fromhex(path.read_text("ascii").strip())
    if len(key) < 16:
        raise ValueError(
            f"门户密钥文件 {path} 已损坏：请删除它并用 portal links --rotate 重新生成链接"
        )
    return key


def token_for(key: bytes, unit: str, nonce: str) -> str:
    digest = hmac.new(key, f"{unit}\n{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def unit_links(
    workspace: Path, ledger: Ledger, units: Iterable[str], *, rotate: Iterable[str] = ()
) -> dict[str, str]:
    """Each unit's token, in the order given: created on first use, new for the units in
    `rotate` (their old links end at once). A stored link that the key no longer makes (the key
    file was replaced) is made anew."""
    key = portal_key(workspace)
    rotate = set(rotate)
    stored = ledger.links()
    tokens: dict[str, str] = {}
    for unit in units:
        current = stored.get(unit)
        if current is not None and unit not in rotate:
            token = _kept_token(key, unit, current)
            if token is not None:
                tokens[unit] = token
                continue
        nonce = secrets.token_hex(16)
        token = token_for(key, unit, nonce)
        ledger.set_link(unit, nonce, token_sha256(token), replace=current is not None)
        tokens[unit] = _settled(ledger, key, unit, token)
    return tokens


def _settled(ledger: Ledger, key: bytes, unit: str, token: str) -> str:
    """The unit's token as the ledger now has it (another process may have set it first)."""
    stored = ledger.link(unit)
    if stored is None:
        return token
    return token_for(key, unit, stored[0])


def current_token(workspace: Path, ledger: Ledger, unit: str) -> str | None:
    """The unit's current link token, or None when it has none the key makes (never made
    here: making one would end a link the unit may still use)."""
    stored = ledger.link(unit)
    return None if stored is None else _kept_token(portal_key(workspace), unit, stored)


def _kept_token(key: bytes, unit: str, stored: tuple[str, str]) -> str | None:
    """The token of a stored link (nonce, sha256 of the token), if `key` makes it."""
    nonce, digest = stored
    token = token_for(key, unit, nonce)
    return token if hmac.compare_digest(token_sha256(token), digest) else None


def unit_of(ledger: Ledger, token: str) -> str | None:
    """The unit whose current link carries `token`, or None (wrong, tampered or rotated)."""
    if not token or len(token) > 128:
        return None
    digest = token_sha256(token)
    found = ledger.unit_of_token(digest)
    # The database finds the row by the digest; the comparison that decides is constant-time.
    if found is None or not hmac.compare_digest(found[1], digest):
        return None
    return found[0]


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{LINK_PREFIX}{token}"
