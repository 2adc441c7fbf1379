"""An upload's body, streamed to a temporary file (上传接收): the size limit enforced from the
request's length before any of the body is read, and again on the bytes as they arrive; the
sha256 computed on the way; the client's file name kept only as text.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header

FIELD = "file"
SLACK = 64 * 1024
"""What a multipart body may hold besides the file: boundaries, part headers, small fields."""


class TooLarge(Exception):
    """The body is over the size limit (413)."""


class BadUpload(Exception):
    """Not a multipart form with a `file` field (400); the message says so in Chinese."""


@dataclass(frozen=True)
class Incoming:
    """An uploaded file, whole, in a temporary file of the workspace."""

    path: Path
    client_name: str | None
    sha256: str
    size: int


def too_long(content_length: str | None, limit: int) -> bool:
    """Whether the request's stated length is already over the limit (checked first)."""
    if content_length is None:
        return False
    try:
        return int(content_length) > limit + SLACK
    except ValueError:
        return True


async def receive_file(
    content_type: str | None, chunks: AsyncIterator[bytes], limit: int, folder: Path
) -> Incoming:
    """Stream the multipart body's `file` part to a temporary file in `folder`. Raises TooLarge
    as soon as the file passes `limit` bytes (the temporary file is removed), BadUpload for a
    body without a file."""
    kind, params = parse_options_header(content_type or "")
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadUpload("请以表单方式上传文件（multipart/form-data，字段名 file）")
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=folder)
    path = Path(name)
    state = _Part()
    digest = hashlib.sha256()
    total = 0

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.value += data[start:end]

    def on_header_end() -> None:
        if state.field.strip().lower() == b"content-disposition":
            _, options = parse_options_header(state.value)
            state.is_file = options.get(b"name") == FIELD.encode() and not state.found
            raw = options.get(b"filename")
            if state.is_file:
                state.found = True
                state.client_name = raw.decode("utf-8", "replace") if raw is not None else None
        state.field, state.value = b"", b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        nonlocal total
        if not state.is_file:
            state.other += end - start
            if state.other > SLACK:
                raise TooLarge
            return
        piece = data[start:end]
        total += len(piece)
        if total > limit:
            raise TooLarge
        digest.update(piece)
        os.write(fd, piece)

    def on_part_end() -> None:
        state.is_file = False

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in chunks:
            if chunk:
                parser.write(chunk)
        parser.finalize()
        if not state.found:
            raise BadUpload("没有收到文件：请选择填报表后再上传（表单字段名 file）")
        os.close(fd)
        fd = -1
        return Incoming(path, state.client_name, digest.hexdigest(), total)
    except (TooLarge, BadUpload):
        raise
    except Exception as e:  # the multipart parser's own errors: a malformed body
        raise BadUpload("上传的内容不完整或格式有误，请重新上传") from e
    finally:
        if fd != -1:
            os.close(fd)
            path.unlink(missing_ok=True)


class _Part:
    def __init__(self) -> None:
        self.field = b""
        self.value = b""
        self.is_file = False
        self.found = False
        self.client_name: str | None = None
        self.other = 0
