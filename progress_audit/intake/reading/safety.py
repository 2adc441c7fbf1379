"""Is this file a workbook we may open? (收件安全检查)

Files from units are hostile until shown otherwise. Before any spreadsheet library touches a
file, this module looks at its bytes, not its name: a zip with `xl/workbook.xml` is an xlsx
(or xlsm), a zip with `word/` is a Word document renamed, an OLE2 file is an old `.xls`/`.et`
or a password-protected workbook (`EncryptedPackage`), anything else is not a workbook. In an
xlsx every part is read once, uncompressed, with a running count against the size limits (a
zip bomb stops at the limit, whatever its headers claim), and any part that declares a
DOCTYPE or ENTITY is refused: XML entities are never expanded. Macros are read as data and
never run; they are worth a warning, not a rejection.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from progress_audit.model.problems import CellRef, Problem

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MiB = 1024 * 1024

RESAVE = "请用 Excel 或 WPS 打开后另存为 .xlsx 再报送"
USE_TEMPLATE = "请在下发的进度填报表（.xlsx）中填写后报送"

# A DOCTYPE or ENTITY declaration, in any case and with stray spaces: parsers differ in what
# they accept, so the test is wider than the XML grammar.
_DECLARATION = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
# A formula element (<f>, <f t="shared" …/>, <x:f>) or an error cell (t="e") in a sheet part.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ERROR_CELL = re.compile(rb"""\st=["']e["']""")
# Cell (r="AB12") and row (r="12") references, to know how far a sheet reaches before a reader
# allocates it.
_REF = re.compile(rb"""\sr=["']([A-Z]{0,3})(\d{1,7})["']""")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")

_CHUNK = MiB


@dataclass(frozen=True)
class SafetyLimits:
    """How big a unit's workbook may be (settings `max_workbook_bytes` …)."""

    max_workbook_bytes: int = 20 * MiB
    max_uncompressed_bytes: int = 200 * MiB
    max_compression_ratio: float = 100.0
    ratio_floor_bytes: int = MiB
    """Parts smaller than this are not judged by their ratio (a few KB of zeros is harmless)."""
    max_sheet_cells: int = 2_000_000
    """A sheet reaching further (rows × columns) is refused: spreadsheet readers allocate the
    whole rectangle, so one stray value at XFD1048576 would exhaust the memory."""
    max_parts: int = 10_000

    @classmethod
    def from_settings(cls) -> SafetyLimits:
        # The settings (pydantic-settings) are slow to import; reading with given limits
        # never needs them.
        from progress_audit.config import get_settings

        s = get_settings()
        return cls(
            max_workbook_bytes=s.max_workbook_bytes,
            max_uncompressed_bytes=s.max_uncompressed_bytes,
            max_compression_ratio=s.max_compression_ratio,
        )


@dataclass(frozen=True)
class Inspection:
    """What the bytes of a file say it is, and whether it may be opened.

    `kind` is one of xlsx, xlsm, xlsb, ods, docx, pptx, zip, xls, et, doc, ole, encrypted,
    html, xml2003, pdf, image, text, empty, binary. `usable` is False when an error problem
    says why the file cannot be read. `has_formulas` / `has_error_cells` tell the reader
    whether a closer look (formulas without a cached value, #DIV/0!) is needed.
    """

    kind: str
    usable: bool
    problems: tuple[Problem, ...] = ()
    has_macros: bool = False
    has_formulas: bool = False
    has_error_cells: bool = False


def _reject(kind: str, code: str, message: str, display_name: str) -> Inspection:
    return Inspection(kind, False, (Problem(code, message, ref=CellRef(display_name)),))


def _suffix(display_name: str) -> str:
    return Path(display_name).suffix.lower()


def inspect_workbook(path: Path, display_name: str, limits: SafetyLimits) -> Inspection:
    """Sniff `path` by content and check it against `limits`; never raises for bad input.

    `display_name` is the file as the clerk knows it (relative to the inbox): it names the
    file in every problem and tells `.et` from `.xls` (their bytes look alike).
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError as e:
        return _reject(
            "unreadable", "unreadable_file", f"文件无法读取（{e.strerror}）", display_name
        )
    if size > limits.max_workbook_bytes:
        return _reject(
            "large",
            "too_large",
            f"文件大小 {size / MiB:.1f} MB，超过上限 {limits.max_workbook_bytes / MiB:.0f} MB："
            "进度填报表通常不足 1 MB，请删除无关的工作表、图片后另存为 .xlsx 再报送",
            display_name,
        )
    if not head:
        return _reject(
            "empty", "not_a_workbook", "文件是空的（0 字节）：请重新保存后报送", display_name
        )
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return _inspect_zip(path, display_name, limits)
    if head.startswith(OLE2_MAGIC):
        return _inspect_ole(path, display_name)
    return _inspect_other(head, display_name)


def _inspect_ole(path: Path, display_name: str) -> Inspection:
    """OLE2 compound file: encrypted OOXML, an old .xls/.et, or another Office document.

    The directory entries name the streams in UTF-16LE; the names are found by a scan of the
    bytes (no OLE library is installed, and the answer only needs the names).
    """
    data = path.read_bytes()

    def has_stream(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has_stream("EncryptedPackage") or has_stream("EncryptionInfo"):
        return _reject(
            "encrypted",
            "encrypted",
            "工作簿设置了打开密码，系统无法读取：请在 Excel 或 WPS 中取消密码"
            "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx 再报送",
            display_name,
        )
    if has_stream("WordDocument"):
        return _reject(
            "doc",
            "not_a_workbook",
            f"这是 Word 文档（.doc），不是 Excel 工作簿：{USE_TEMPLATE}",
            display_name,
        )
    if _suffix(display_name) in (".et", ".ett"):
        return _reject(
            "et", "wps_et", f"这是 WPS 表格格式（.et），系统不读取此格式：{RESAVE}", display_name
        )
    if has_stream("Workbook") or has_stream("Book") or _suffix(display_name) == ".xls":
        return _reject(
            "xls",
            "old_format_xls",
            f"这是旧版 Excel 97-2003 格式（.xls），系统不读取此格式：{RESAVE}",
            display_name,
        )
    return _reject(
        "ole",
        "not_a_workbook",
        f"这是旧版 Office 文件，不是 Excel 工作簿：{USE_TEMPLATE}",
        display_name,
    )


def _inspect_other(head: bytes, display_name: str) -> Inspection:
    """Not a zip, not OLE2: say what it looks like so the clerk knows what went wrong."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"%pdf"):
        message = f"这是 PDF 文件，不是 Excel 工作簿：{USE_TEMPLATE}"
        return _reject("pdf", "not_a_workbook", message, display_name)
    if start.startswith((b"\x89png", b"\xff\xd8\xff", b"gif8")):
        message = f"这是图片，不是 Excel 工作簿：{USE_TEMPLATE}"
        return _reject("image", "not_a_workbook", message, display_name)
    if start.startswith((b"<html", b"<!doctype html", b"<table")) or b"<html" in start[:512]:
        return _reject(
            "html",
            "unsupported_format",
            f"这是网页格式（HTML）的表格，只是扩展名像 Excel：{RESAVE}",
            display_name,
        )
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return _reject(
            "xml2003",
            "unsupported_format",
            f"这是 Excel 2003 XML 表格格式，系统不读取此格式：{RESAVE}",
            display_name,
        )
    if _looks_like_text(head):
        what = "CSV 文本文件" if _suffix(display_name) == ".csv" else "文本文件"
        return _reject(
            "text", "not_a_workbook", f"这是{what}，不是 Excel 工作簿：{RESAVE}", display_name
        )
    return _reject(
        "binary",
        "not_a_workbook",
        f"无法识别的文件，不是 Excel 工作簿（文件可能已损坏或被改了扩展名）：{USE_TEMPLATE}",
        display_name,
    )


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as e:
            if e.start >= len(head) - 4:  # a character cut in two at the end of the sample
                return True
            continue
        return True
    return False


def _inspect_zip(path: Path, display_name: str, limits: SafetyLimits) -> Inspection:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            kind = _zip_kind(zf, names)
            if kind not in ("xlsx", "xlsm"):
                return _reject_zip_kind(kind, display_name)
            if len(infos) > limits.max_parts:
                return _reject(
                    kind,
                    "too_large",
                    f"工作簿内部文件多达 {len(infos)} 个，超过上限 {limits.max_parts}：{RESAVE}",
                    display_name,
                )
            return _scan_parts(zf, infos, kind, display_name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        return _reject(
            "zip",
            "corrupt_workbook",
            f"文件已损坏，无法打开（{type(e).__name__}）：{RESAVE}",
            display_name,
        )


def _zip_kind(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        if "xl/vbaProject.bin" in names:
            return "xlsm"
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    if "mimetype" in names:
        info = zf.getinfo("mimetype")
        if info.file_size < 200 and b"spreadsheet" in zf.read(info):
            return "ods"
    return "zip"


def _reject_zip_kind(kind: str, display_name: str) -> Inspection:
    messages = {
        "docx": ("not_a_workbook", f"这是 Word 文档，只是改成了 Excel 的扩展名：{USE_TEMPLATE}"),
        "pptx": ("not_a_workbook", f"这是 PowerPoint 演示文稿，不是 Excel 工作簿：{USE_TEMPLATE}"),
        "xlsb": ("unsupported_format", f"这是 Excel 二进制格式（.xlsb），系统不读取：{RESAVE}"),
        "ods": ("unsupported_format", f"这是 OpenDocument 表格（.ods），系统不读取：{RESAVE}"),
        "zip": ("not_a_workbook", "这是压缩包，不是 Excel 工作簿：请解压后报送其中的 .xlsx 文件"),
    }
    code, message = messages[kind]
    return _reject(kind, code, message, display_name)


def _scan_parts(
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    kind: str,
    display_name: str,
    limits: SafetyLimits,
) -> Inspection:
    """Read every part once, counting real bytes; refuse declarations and bombs."""
    total = 0
    has_formulas = has_error_cells = False
    for info in infos:
        if info.is_dir():
            continue
        declared_ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size >= limits.ratio_floor_bytes
            and declared_ratio > limits.max_compression_ratio
        ):
            return _too_large_ratio(kind, info.filename, declared_ratio, display_name, limits)
        is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
        is_sheet = is_xml and info.filename.startswith("xl/worksheets/")
        extent = _Extent()
        part_bytes = 0
        tail = b""
        utf16 = None
        with zf.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                part_bytes += len(chunk)
                total += len(chunk)
                if total > limits.max_uncompressed_bytes:
                    return _reject(
                        kind,
                        "too_large",
                        f"工作簿解压后超过 {limits.max_uncompressed_bytes / MiB:.0f} MB（可能是"
                        f"恶意构造的压缩文件），系统拒绝读取：{RESAVE}",
                        display_name,
                    )
                if (
                    part_bytes >= limits.ratio_floor_bytes
                    and part_bytes / max(info.compress_size, 1) > limits.max_compression_ratio
                ):
                    ratio = part_bytes / max(info.compress_size, 1)
                    return _too_large_ratio(kind, info.filename, ratio, display_name, limits)
                if not is_xml:
                    continue
                if utf16 is None:  # UTF-16/32 XML would hide "<!DOCTYPE" from a byte scan
                    utf16 = chunk[:4] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in chunk[:4]
                text = tail + chunk
                if utf16:
                    text = text.replace(b"\x00", b"")
                # `<!` is rare (comments, CDATA): a plain find spares most parts the regex.
                if b"<!" in text and _DECLARATION.search(text):
                    return _reject(
                        kind,
                        "xml_entities",
                        f"工作簿内部文件 {info.filename} 含有 XML 实体声明（DOCTYPE/ENTITY），"
                        "可能是恶意构造的文件，系统拒绝读取：请在下发的进度填报表中重新填写，"
                        "用 Excel 或 WPS 另存为 .xlsx 后报送",
                        display_name,
                    )
                if is_sheet:
                    has_formulas = has_formulas or bool(_FORMULA.search(text))
                    has_error_cells = has_error_cells or bool(_ERROR_CELL.search(text))
                    extent.add(chunk, text)
                    if extent.cells > limits.max_sheet_cells:
                        return _reject(
                            kind,
                            "too_large",
                            f"工作表 {info.filename} 的内容延伸到第 {extent.rows} 行、第 "
                            f"{extent.columns} 列，范围过大，系统不读取：请删除表格以外多余的"
                            "单元格（或把进度表复制到新的工作簿）后另存为 .xlsx 再报送",
                            display_name,
                        )
                tail = chunk[-64:]
    problems: tuple[Problem, ...] = ()
    if kind == "xlsm":
        problems = (
            Problem(
                "macros",
                "工作簿含有宏（VBA），系统只读取表中的数据、不运行宏；"
                "今后请使用下发的 .xlsx 模板报送",
                severity="warning",
                ref=CellRef(display_name),
            ),
        )
    return Inspection(kind, True, problems, kind == "xlsm", has_formulas, has_error_cells)


class _Extent:
    """How far a sheet part reaches: its last row and column, and how many cells it has."""

    def __init__(self) -> None:
        self.rows = self.columns = self.count = 0

    def add(self, chunk: bytes, text: bytes) -> None:
        """`text` is the chunk with the previous chunk's tail (refs may straddle the two)."""
        refs = _REF.findall(text)
        if refs:
            # Sets first: a sheet repeats the same few letters and row numbers many times.
            letters, rows = zip(*refs, strict=True)
            self.columns = max(self.columns, *map(_column_number, set(letters)))
            self.rows = max(self.rows, *map(int, set(rows)))
        self.count += len(_CELL_TAG.findall(chunk))

    @property
    def cells(self) -> int:
        return max(self.rows * self.columns, self.count)


@cache
def _column_number(letters: bytes) -> int:
    """b"AB" → 28; b"" (a row's reference) → 0."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _too_large_ratio(
    kind: str, part: str, ratio: float, display_name: str, limits: SafetyLimits
) -> Inspection:
    return _reject(
        kind,
        "too_large",
        f"工作簿内部文件 {part} 的压缩比异常（{ratio:.0f} 倍，上限 "
        f"{limits.max_compression_ratio:.0f} 倍），可能是恶意构造的压缩文件，"
        f"系统拒绝读取：{RESAVE}",
        display_name,
    )
