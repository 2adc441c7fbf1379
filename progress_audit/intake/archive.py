"""The archive (存档): a read-only copy of every workbook's bytes, named by their sha256
(`archive/ab/ab12….xlsx`), written once and never replaced by other bytes.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

ARCHIVE_DIR = "archive"
CHUNK = 1 << 20
"""Bytes read at a time when hashing or copying."""
_log = logging.getLogger(__name__)


class InboxFileChanged(OSError):
    """The file changed while it was being taken in (a unit still copying it): try again."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def extension(name: str) -> str:
    """The file's extension for the archived copy: lower-case letters and digits, or `bin`."""
    suffix = Path(name).suffix.lower().lstrip(".")
    return suffix if re.fullmatch(r"[a-z0-9]{1,10}", suffix) else "bin"


def archive_name(sha256: str, name: str) -> str:
    return f"{ARCHIVE_DIR}/{sha256[:2]}/{sha256}.{extension(name)}"


def keep_copy(source: Path, sha256: str, target: Path) -> None:
    """Keep the bytes at `target`, read-only (0o444): written once, never replaced by others.

    The copy is written beside the target under a temporary name and hard-linked into place,
    which fails rather than replaces when another process got there first (the same bytes, by
    their name). No fsync per file (it cost more than reading the workbook): instead the copy
    is checked against its name every time the file is received (hashing is cheap), so a copy
    a crash left incomplete is found and written again from the inbox, whose bytes match.
    """
    if target.exists():
        if file_sha256(target) == sha256:
            return
        _log.warning("archived copy %s does not match its sha256: writing it again", target)
        replace_damaged = True
    else:
        replace_damaged = False
        if not target.parent.is_dir():
            target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        digest = hashlib.sha256()
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
        if digest.hexdigest() != sha256:
            raise InboxFileChanged(
                errno.EAGAIN, f"文件 {source.name} 在复制期间被修改（内容与指纹不符），稍后重试"
            )
        os.chmod(tmp, 0o444)
        if replace_damaged:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass
        except OSError:
            # A file system without hard links (some network shares): rename, still only when
            # absent; the bytes are identical by their hash even if a race lets both through.
            if not target.exists():
                os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def keep_written(source: Path, sha256: str, target: Path) -> None:
    """Keep a file this process wrote and hashed as it arrived (an upload's temporary file) at
    `target`, as `keep_copy` does but hard-linked into place rather than read and copied again.
    Where the bytes are already kept, or hard links are not possible, `keep_copy` decides."""
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(source, 0o444)
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # kept meanwhile by another process, or no hard links here
    keep_copy(source, sha256, target)
