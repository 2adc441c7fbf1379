"""Figures as people type them (填报数值的识读): numbers, dates, statuses and percentages.

Pure functions from what a cell holds to a value in the catalogue's unit of measure, with the
reason when it cannot be read. The rule throughout: read what is unambiguous, flag what was
assumed (a note, or `approximate` for `约5000`), and never guess: a range, two numbers, a unit
that does not fit the target, or words instead of a number are errors with a Chinese reason
that tells the unit what to write instead.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache

from progress_audit.model.period import Period
from progress_audit.model.records import REPORTED_STATUSES


@dataclass(frozen=True)
class Figure:
    """A figure read from a cell (数值).

    `value` is in the target's unit of measure, or None when the cell is empty or unreadable;
    `approximate` marks `约5000亩`, `5000亩左右`; `note` says what was assumed or converted
    (`按小数理解：0.65 即 65%`, `1.2亿元 = 12000万元`); `error` is the Chinese reason when the
    cell could not be read (then `value` is None).
    """

    value: float | None
    approximate: bool = False
    note: str = ""
    error: str | None = None

    @property
    def empty(self) -> bool:
        """Nothing reported: a blank cell or a dash (the row then counts as not reported)."""
        return self.value is None and self.error is None


EMPTY = Figure(None)

# A dash in any of its typed forms means "nothing to report" (NFKC leaves the long ones).
_DASHES = frozenset({"-", "--", "—", "——", "–", "─", "―"})

# Words that make a figure approximate: 约5000, 近5000, 超5000, 5000左右, 5000余亩, 5000多亩.
_APPROX_PREFIXES = ("大约", "约计", "约", "接近", "将近", "近", "超过", "超", "逾", "不到")
_APPROX_SUFFIXES = ("左右", "上下", "以上", "以下", "多", "余")
_APPROX_AFTER_NUMBER = ("余", "多")

# Magnitudes written after a number or as part of a unit (0.6万, 1.2亿元, 3000万元), longest
# first. 十 is left out: `5十人` is not how anyone writes, and 十 inside units is rare.
_MAGNITUDES = (
    ("万亿", 10**12),
    ("千万", 10**7),
    ("百万", 10**6),
    ("十万", 10**5),
    ("亿", 10**8),
    ("万", 10**4),
    ("千", 10**3),
    ("百", 10**2),
)
# Other words for the same unit of measure (9000名 against a target in 人).
_UNIT_SYNONYMS = {"名": "人", "位": "人"}

_CN_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟萬億]+")
_ARABIC = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?")
_SPACED_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?: \d{3})+(?![\d.])")
_HAS_NUMERAL = re.compile(r"[\d零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]")
_RANGE_MARKS = ("-", "~", "至", "到", "—", "–")
_UNIT_LIKE = re.compile(r"^(?:%|[^\W\d_]{1,6})$")
_EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!")

_PENDING_WORDS = ("待统计", "统计中", "正在统计", "未统计", "待定", "待核实", "暂无数据", "暂无")


def _normalise(text: str) -> str:
    """NFKC (full-width digits, ％, ，) and trimmed; inner spaces are handled by the caller."""
    return unicodedata.normalize("NFKC", text).strip()


def _fmt(value: Decimal | float) -> str:
    """A number as a clerk would write it: 12000, 0.3, 65."""
    d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = format(d.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@cache
def _cn2an():
    # cn2an is slow to import: only pay for it when a Chinese numeral appears.
    import cn2an

    return cn2an


def _split_unit(unit: str) -> tuple[int, str | None]:
    """`亿元` → (10**8, "元"); `万` → (10**4, None); `人` → (1, "人"); `%` → (1, "%")."""
    unit = unit.strip()
    if unit in ("%", ""):
        return 1, unit or None
    for word, scale in _MAGNITUDES:
        rest = unit[len(word) :]
        # 百分点, 百分比: 百 begins a word here, it is not a magnitude.
        if unit.startswith(word) and not rest.startswith("分"):
            return scale, _UNIT_SYNONYMS.get(rest, rest) or None
    return 1, _UNIT_SYNONYMS.get(unit, unit)


def _unreadable_text(text: str, what: str) -> str:
    """The reason a piece of text is not a figure, in words that say what to write instead."""
    if "附件" in text:
        return f"“{text}”不是数值：请把{what}直接填在本单元格，不能写“见附件”"
    if any(w in text for w in _PENDING_WORDS):
        return f"“{text}”不是数值：请填写{what}；确实无法提供的请留空，并在“存在问题”栏说明原因"
    if text in ("/", "\\", "／"):
        return "“/”不是数值：本月没有数据请留空，数值为零请填写 0"
    if text.upper() in _EXCEL_ERRORS:
        return f"单元格显示错误值 {text}：请检查公式，或直接填写数值"
    if text in REPORTED_STATUSES or text in ("完成", "已完成", "全部完成"):
        return f"“{text}”不是数值：请填写完成数；完成状态请在“完成状态”栏选择"
    return f"“{text}”无法识别为数值：请只填写一个数字，可带计量单位，如 9000 或 9000人"


def _number_from_text(text: str, what: str) -> tuple[Decimal | None, str, str | None]:
    """Split `1.2亿元` into (1.2, "亿元"); `五千` into (5000, ""). Error text when no number."""
    m = _ARABIC.match(text)
    if m and (m.group(2) or m.group(3)):
        sign, whole, frac = m.groups()
        digits = (whole or "0").replace(",", "") + (f".{frac}" if frac else "")
        try:
            number = Decimal(sign + digits)
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            return None, "", _unreadable_text(text, what)
        return number, text[m.end() :], None
    if text.startswith("百分之"):
        number, rest, _ = _number_from_text(text[3:], what)
        if number is None or rest:
            return None, "", _unreadable_text(text, what)
        return number, "%", None
    cm = _CN_NUMERAL.match(text)
    if cm and _HAS_NUMERAL.search(cm.group()):
        try:
            value = _cn2an().cn2an(cm.group(), "normal")
        except (ValueError, KeyError):
            return None, "", _unreadable_text(text, what)
        return Decimal(str(value)), text[cm.end() :], None
    return None, "", _unreadable_text(text, what)


def parse_figure(
    raw: object,
    unit_of_measure: str,
    *,
    written_unit: str | None = None,
    cell_is_percent: bool = False,
    what: str = "截至本月底的本年累计完成数",
) -> Figure:
    """Read a figure (本年累计完成, 目标值) against a target in `unit_of_measure`.

    `written_unit` is the row's 计量单位 when the unit changed it (a bare number is then in that
    unit and is converted); `cell_is_percent` says the cell has a percentage number format
    (Excel stores 65% as 0.65); `what` names the figure in error messages. Empty and dashes
    → `Figure(None)` without error.
    """
    if raw is None or isinstance(raw, bool):
        return EMPTY if raw is None else Figure(None, error="“是/否”不是数值：请填写一个数字")
    if isinstance(raw, datetime | date | time | timedelta):
        shown = raw.strftime("%m月%d日") if isinstance(raw, date) else str(raw)
        return Figure(
            None,
            error=(
                f"单元格是日期（{shown}），不是数值：请把单元格格式设为“常规”或“数值”后重新填写"
            ),
        )
    approximate = False
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return Figure(None, error="单元格不是有效数值：请直接填写数值")
        number, rest = Decimal(repr(raw)), ""
    else:
        text = _normalise(str(raw))
        if text in _DASHES or not text:
            return EMPTY
        text = text.rstrip("。.，,；;")
        if re.search(r"\d\s+\d", text) and not _SPACED_THOUSANDS.search(text):
            return Figure(None, error=_two_numbers(text))
        text = re.sub(r"\s+", "", text)
        for prefix in _APPROX_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                approximate, text = True, text[len(prefix) :]
                break
        number, rest, error = _number_from_text(text, what)
        if error:
            return Figure(None, error=error)
        for word in _APPROX_AFTER_NUMBER:
            if rest.startswith(word):
                approximate, rest = True, rest[len(word) :]
        for suffix in _APPROX_SUFFIXES:
            if rest.endswith(suffix):
                approximate, rest = True, rest[: -len(suffix)]
                break
        if _HAS_NUMERAL.search(rest):
            shown = str(raw).strip()
            if rest.startswith(_RANGE_MARKS):
                return Figure(None, error=f"“{shown}”是一个范围：请填写一个确定的数值，不要写区间")
            return Figure(None, error=_two_numbers(shown))
        if rest and not _UNIT_LIKE.match(rest):
            return Figure(
                None,
                error=(
                    f"“{str(raw).strip()}”在数值后面有说明文字：请本单元格只填写数值，"
                    "说明写在“进展情况”栏"
                ),
            )
    assert number is not None
    return _convert(number, rest, unit_of_measure, written_unit, cell_is_percent, approximate, raw)


def _two_numbers(text: str) -> str:
    return f"“{text}”中有不止一个数字：请只填写一个数值，说明写在“进展情况”栏"


def _convert(
    number: Decimal,
    written: str,
    target_unit: str,
    written_unit: str | None,
    cell_is_percent: bool,
    approximate: bool,
    raw: object,
) -> Figure:
    """Express `number written` in `target_unit` (the catalogue's), or say why it cannot be."""
    target_scale, target_base = _split_unit(target_unit)
    notes: list[str] = []
    shown = _fmt(number) + written
    if not written and written_unit and written_unit.strip() != target_unit:
        # A bare number in a row whose 计量单位 the unit changed: it is in the unit's unit.
        written = written_unit.strip()
        shown = f"{_fmt(number)}（本行计量单位“{written}”）"
    if written:
        scale, base = _split_unit(written)
        if base is None:  # only a magnitude (0.6万): the target's own unit is meant
            base = target_base
    else:  # a bare number is in the target's unit
        scale, base = target_scale, target_base
    if base is not None and target_base is not None and base != target_base:
        return Figure(
            None,
            error=(
                f"“{str(raw).strip()}”的单位“{written}”与目标的计量单位“{target_unit}”不一致："
                f"请按“{target_unit}”填写数值"
            ),
        )
    if base == "%" and target_base is None:
        return Figure(None, error=f"“{str(raw).strip()}”是百分数，但该指标不是百分比：请填写数值")
    if target_base == "%":
        if scale != 1:
            return Figure(None, error=f"“{str(raw).strip()}”无法识别为百分比：请填写如 65%")
        if not written and cell_is_percent:  # Excel keeps 65% as 0.65
            number *= 100
            notes.append(f"单元格为百分比格式，按 {_fmt(number)}% 读取")
        elif not written and 0 < abs(number) < 1:
            notes.append(f"按小数理解：{_fmt(number)} 即 {_fmt(number * 100)}%")
            number *= 100
        value = number
    else:
        value = number * Decimal(scale) / Decimal(target_scale)
        if scale != target_scale:
            notes.append(f"{shown} 换算为 {_fmt(value)}{target_unit}")
    return Figure(float(value), approximate, "；".join(notes))


def parse_percent(raw: object, *, cell_is_percent: bool = False) -> Figure:
    """Read 形象进度 (percent complete, 0–100): `80`, `80%`, `0.8` (→ 80, noted)."""
    if isinstance(raw, str) and _normalise(raw) in ("完成", "已完成", "全部完成"):
        return Figure(
            None, error=f"“{raw.strip()}”不是百分数：形象进度请填写 0–100 的数字，已完成填 100"
        )
    figure = parse_figure(raw, "%", cell_is_percent=cell_is_percent, what="形象进度（0–100）")
    if figure.value is not None and not 0 <= figure.value <= 100:
        return Figure(
            None,
            error=f"形象进度“{str(raw).strip()}”不在 0–100 之间：请填写完成的百分比，如 80",
        )
    return figure


_STATUS_SYNONYMS = {
    "已完成": "已完成",
    "完成": "已完成",
    "全部完成": "已完成",
    "已经完成": "已完成",
    "已全部完成": "已完成",
    "推进中": "推进中",
    "正在推进": "推进中",
    "进行中": "推进中",
    "正在进行": "推进中",
    "实施中": "推进中",
    "正在实施": "推进中",
    "持续推进": "推进中",
    "有序推进": "推进中",
    "按序时推进": "推进中",
    "未启动": "未启动",
    "未开始": "未启动",
    "尚未启动": "未启动",
    "尚未开始": "未启动",
    "暂未启动": "未启动",
    "受阻": "受阻",
    "阻滞": "受阻",
    "停滞": "受阻",
    "推进受阻": "受阻",
}


def parse_status(raw: object) -> tuple[str | None, str | None]:
    """Read 完成状态 as one of 未启动, 推进中, 已完成, 受阻 (light synonyms: 进行中 → 推进中).

    Returns (status, error); both None for an empty cell.
    """
    if raw is None:
        return None, None
    text = re.sub(r"\s+", "", _normalise(str(raw))).rstrip("。.!！")
    if not text or text in _DASHES:
        return None, None
    if text in _STATUS_SYNONYMS:
        return _STATUS_SYNONYMS[text], None
    return None, f"“{str(raw).strip()}”不是可选的完成状态：请从 未启动、推进中、已完成、受阻 中选择"


# ---- dates (预计完成时间) -------------------------------------------------------------------

_FULL_DATE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?(底|末|份|上旬|中旬|下旬)?$")
_MONTH = re.compile(
    r"^(?:(\d{4})年)?(\d{1,2}|[一二三四五六七八九十]{1,3})月(底|末|份|上旬|中旬|下旬)?$"
)
_MONTH_DAY = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日$")
_YEAR_END = re.compile(r"^(?:(?:(\d{4})年|今年|本年)(?:年?底|年?末|年?内)|年底|年末|年内|全年)$")
_QUARTER = re.compile(r"^(?:(\d{4})年)?第?([一二三四1-4])季度(末|底)?$")
_HALF = re.compile(r"^(?:(\d{4})年)?(上半年|年中)(末|底)?$")

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else int(_cn2an().cn2an(text, "normal"))


def _month_part(year: int, month: int, part: str | None) -> date:
    """A date within the month: 上旬 → the 10th, 中旬 → the 20th, otherwise its last day."""
    if part == "上旬":
        return date(year, month, 10)
    if part == "中旬":
        return date(year, month, 20)
    return Period(year, month).last_day


def _date_error(raw: object) -> str:
    return (
        f"“{str(raw).strip()}”无法识别为日期：预计完成时间请填写如 2019-10-31、2019年10月 或 "
        "10月底；长期工作请填写“年底”"
    )


def parse_date(raw: object, year: int) -> tuple[date | None, str | None]:
    """Read 预计完成时间: a date cell, `2019-10-31`, `2019.10` (month end), `10月底`, `年底`.

    Returns (date, error); both None for an empty cell. `year` is the catalogue's year, used
    when only a month is written.
    """
    if raw is None or isinstance(raw, bool):
        return (None, None) if raw is None else (None, _date_error(raw))
    if isinstance(raw, datetime):
        return raw.date(), None
    if isinstance(raw, date):
        return raw, None
    if isinstance(raw, int | float):
        return _date_from_number(raw)
    if not isinstance(raw, str):
        return None, _date_error(raw)
    text = re.sub(r"\s+", "", _normalise(raw)).rstrip("。.")
    if not text or text in _DASHES:
        return None, None
    try:
        if m := _FULL_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3])), None
        if m := _YEAR_MONTH.match(text):
            return _month_part(int(m[1]), int(m[2]), m[3]), None
        if m := _MONTH_DAY.match(text):
            return date(int(m[1] or year), int(m[2]), int(m[3])), None
        if m := _MONTH.match(text):
            return _month_part(int(m[1] or year), _month_number(m[2]), m[3]), None
        if m := _YEAR_END.match(text):
            return date(int(m[1] or year), 12, 31), None
        if m := _QUARTER.match(text):
            quarter = int(m[2]) if m[2].isdigit() else _CN_DIGITS[m[2]]
            return Period(int(m[1] or year), quarter * 3).last_day, None
        if m := _HALF.match(text):
            return date(int(m[1] or year), 6, 30), None
    except (ValueError, KeyError):  # 2019-13-40, 十三月: the shape was right, the date is not
        return None, _date_error(raw)
    return None, _date_error(raw)


def _date_from_number(raw: float) -> tuple[date | None, str | None]:
    """`2019.10` typed into a number cell arrives as 2019.1: month 10 or month 1 cannot be told."""
    text = repr(raw)
    m = re.fullmatch(r"(\d{4})\.(\d{1,2})", text)
    if not m:
        return None, _date_error(raw)
    if m[2] == "1":
        return None, (
            f"“{text}”无法判断是 1 月还是 10 月（Excel 把 2019.10 存成了 2019.1）："
            "请填写如 2019-10-31 或 2019年10月"
        )
    try:
        return Period(int(m[1]), int(m[2])).last_day, None
    except ValueError:
        return None, _date_error(raw)
