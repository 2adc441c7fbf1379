"""The review workbook (指标审核表): the office confirms or corrects what the import understood.

Sheet `审核`: one row per target found (编号 `6.1.2`) and one per standard without a target
(编号 `6.3`). Grey columns (编号, 工作标准, 原文) are locked by sheet protection; the office
edits the others, with drop-downs for 是否量化指标, 比较关系, 指标类型, 进度曲线 and 力争.
Sheet `进度曲线` holds the seasonal profiles (12 cumulative monthly shares) a metric may follow;
sheet `填写说明` says all of this in the office's words.

`read_review` checks every editable cell and returns the answers (`catalogue.answers`), or
raises ReviewError naming the first bad cell (`审核!F7`) and how many there are.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from progress_audit.files.atomic import atomic_path
from progress_audit.files.xlsx_style import lines_needed, merge_row
from progress_audit.standards.catalogue import Catalogue, Metric, Standard
from progress_audit.standards.catalogue.answers import Answers, AnswersError, check_profile
from progress_audit.standards.catalogue.model import Profile
from progress_audit.standards.catalogue.tracks import (
    TRACK_LABELS,
    UNNUMBERED_TRACKS,
    suggest_track,
    track_label,
)

SHEET = "审核"
PROFILE_SHEET = "进度曲线"
GUIDE_SHEET = "填写说明"
HEADER_ROW = 3

COMPARATOR_LABELS = {
    ">=": "≥ 不低于",
    ">": "> 超过",
    "<=": "≤ 不超过",
    "<": "< 低于",
    "~": "约 左右",
}
KIND_LABELS = {"cumulative": "累计型", "level": "水平型", "rate": "比率型"}
BUILTIN_PROFILES = {"linear": "按月均匀", "deadline": "到期考核"}
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    editable: bool
    note: str


COLUMNS = (
    Column("编号", 9, False, "指标编号（如 6.1.2）；没有量化指标的工作标准为标准编号（如 6.3）"),
    Column("工作标准", 40, False, "责任分解表原文"),
    Column("原文", 22, False, "程序认作目标的那几个字"),
    Column("是否量化指标", 10, True, "是：按下面各列考核；否：不是目标（如界定范围的数字）"),
    Column("指标名称", 20, True, "填报表和通报中显示的名称"),
    Column("目标值", 10, True, "数字，不带单位"),
    Column("计量单位", 9, True, "如 家、个、亿元、%"),
    Column("比较关系", 11, True, "≥ 不低于、> 超过、≤ 不超过、< 低于、约 左右"),
    Column("指标类型", 10, True, "累计型：全年从零累计；水平型：从基数提升；比率型：占比、增长率"),
    Column("进度曲线", 11, True, "按月均匀；到期考核（一次性目标）；或“进度曲线”表中的名称"),
    Column("基数", 10, True, "水平型指标必填：上年末的值"),
    Column("基数说明", 14, True, "基数的来源"),
    Column("完成期限", 12, True, "日期，如 2020-12-31"),
    Column("力争", 7, True, "是：力争目标"),
    Column(
        "考核方式",
        10,
        True,
        "没有量化指标的工作标准：常态工作（按每月进展情况）或节点任务（按节点计划）",
    ),
    Column("备注", 14, True, "督查室备注，程序不读取"),
)
COL = {c.header: i for i, c in enumerate(COLUMNS, start=1)}


class ReviewError(ValueError):
    """The reviewed workbook has a bad cell; the message names it (`审核!F7`)."""


def _letter(col: int) -> str:
    return get_column_letter(col)


def _row_values(standard: Standard, metric: Metric | None) -> dict[str, Any]:
    if metric is None:
        return {
            "编号": standard.id,
            "工作标准": standard.standard,
            "原文": "",
            "是否量化指标": NO,
            "完成期限": standard.deadline,
            "考核方式": track_label(standard.track),
        }
    return {
        "编号": metric.id,
        "工作标准": standard.standard,
        "原文": metric.text,
        "是否量化指标": YES,
        "指标名称": metric.name,
        "目标值": metric.target,
        "计量单位": metric.unit,
        "比较关系": COMPARATOR_LABELS[metric.comparator],
        "指标类型": KIND_LABELS[metric.kind],
        "进度曲线": BUILTIN_PROFILES.get(metric.profile.name, metric.profile.name),
        "基数": metric.baseline,
        "基数说明": metric.baseline_note,
        "完成期限": metric.deadline,
        "力争": YES if metric.strive else NO,
        "考核方式": track_label("metric"),
    }


def write_review(cat: Catalogue, target: Path) -> Path:
    """The review workbook for `cat` (as imported: targets found, kinds suggested)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    last = _letter(len(COLUMNS))
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor="E7E6E6")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    wrap = Alignment(wrap_text=True, vertical="top")

    ws["A1"] = f"{cat.year}年重点任务量化指标审核表"
    ws["A1"].font = Font(bold=True, size=15)
    merge_row(ws, 1, len(COLUMNS))
    ws["A2"] = (
        f"共 {len(cat.standards)} 条工作标准、{len(cat.metrics)} 个量化指标。灰色列不可修改；"
        "请逐行核对白色各列，改正后保存，再运行 progress-audit standards review 本文件 "
        f"--year {cat.year}。详见“{GUIDE_SHEET}”。"
    )
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="center")
    merge_row(ws, 2, len(COLUMNS))
    ws.row_dimensions[2].height = 30
    for i, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, i, column.header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[_letter(i)].width = column.width

    row = HEADER_ROW
    for standard in cat.standards:
        for metric in standard.metrics or (None,):
            row += 1
            values = _row_values(standard, metric)
            for i, column in enumerate(COLUMNS, start=1):
                cell = ws.cell(row, i, values.get(column.header))
                cell.border = border
                cell.alignment = wrap
                if column.editable:
                    cell.protection = Protection(locked=False)
                else:
                    cell.fill = grey
                if column.header == "完成期限":
                    cell.number_format = "yyyy-mm-dd"
            tallest = max(
                lines_needed(str(values.get(c.header) or ""), c.width)
                for c in COLUMNS
                if isinstance(values.get(c.header), str)
            )
            ws.row_dimensions[row].height = 15 * tallest + 3
    first, end = HEADER_ROW + 1, max(row, HEADER_ROW + 1)

    profiles = {m.profile.name: m.profile for m in cat.metrics}
    custom = [p for name, p in profiles.items() if name not in BUILTIN_PROFILES]
    _write_profiles(wb, custom, border, header_fill)

    def choices(header: str, options: str, prompt: str) -> None:
        dv = DataValidation(type="list", formula1=options, allow_blank=True)
        dv.error, dv.errorTitle = f"请从下拉列表中选择：{prompt}", "输入有误"
        dv.prompt, dv.promptTitle = prompt, header
        dv.showErrorMessage = dv.showInputMessage = True
        letter = _letter(COL[header])
        dv.add(f"{letter}{first}:{letter}{end}")
        ws.add_data_validation(dv)

    choices("是否量化指标", f'"{YES},{NO}"', "是 / 否")
    choices("比较关系", '"' + ",".join(COMPARATOR_LABELS.values()) + '"', "比较关系")
    choices("指标类型", '"' + ",".join(KIND_LABELS.values()) + '"', "累计型 / 水平型 / 比率型")
    choices(
        "进度曲线",
        f"OFFSET('{PROFILE_SHEET}'!$A$4,0,0,COUNTA('{PROFILE_SHEET}'!$A$4:$A$60),1)",
        "按月均匀、到期考核，或“进度曲线”表中的名称",
    )
    choices("力争", f'"{YES},{NO}"', "是 / 否")
    choices(
        "考核方式",
        '"' + ",".join(TRACK_LABELS.values()) + '"',
        "量化指标 / 常态工作（按每月进展情况）/ 节点任务（按节点计划）",
    )
    for header, kind in (("目标值", "decimal"), ("基数", "decimal")):
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1="0")
        dv.error, dv.errorTitle = "请填写数字（不带单位）", "输入有误"
        dv.showErrorMessage = True
        letter = _letter(COL[header])
        dv.add(f"{letter}{first}:{letter}{end}")
        ws.add_data_validation(dv)
    dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)")
    dv.formula2 = "DATE(2100,12,31)"
    dv.error, dv.errorTitle = "请填写日期，如 2020-12-31", "输入有误"
    dv.showErrorMessage = True
    letter = _letter(COL["完成期限"])
    dv.add(f"{letter}{first}:{letter}{end}")
    ws.add_data_validation(dv)

    ws.freeze_panes = ws.cell(HEADER_ROW + 1, COL["是否量化指标"])
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{end}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    _write_guide(wb, cat.year)
    wb.active = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _write_profiles(wb, custom: list[Profile], border, header_fill) -> None:
    ws = wb.create_sheet(PROFILE_SHEET)
    ws["A1"] = "进度曲线：各月末累计应完成的比例（12 月为 1）"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        "按月均匀、到期考核为内置曲线；季节性指标可在下面增加一行，名称填入审核表的“进度曲线”列"
    )
    headers = ["名称", *[f"{m}月" for m in range(1, 13)], "说明"]
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(3, i, h)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = border
    grey = PatternFill("solid", fgColor="E7E6E6")
    for r, (name, label) in enumerate(BUILTIN_PROFILES.items(), start=4):
        ws.cell(r, 1, label).fill = grey
        note = "每月 1/12" if name == "linear" else "一次性目标，到完成期限才考核"
        ws.cell(r, 14, note).fill = grey
    for r, profile in enumerate(custom, start=4 + len(BUILTIN_PROFILES)):
        ws.cell(r, 1, profile.name)
        for m, share in enumerate(profile.shares, start=2):
            ws.cell(r, m, share).number_format = "0%"
        ws.cell(r, 14, profile.note)
    for r in range(4 + len(BUILTIN_PROFILES), 61):
        for c in range(1, 15):
            ws.cell(r, c).protection = Protection(locked=False)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["N"].width = 40
    ws.protection.sheet = True


GUIDE = """{year}年重点任务量化指标审核表：填写说明

1. 这张表是导入{year}年责任分解表后生成的。程序从每条工作标准的原文中找出带计量单位的数字，
   认作量化指标，并按字面推断比较关系和指标类型。请督查室逐行核对，确认或改正。
2. 每个量化指标一行（编号如 6.1.2：目标 6、工作标准（1）的第 2 个指标）；没有找到量化指标的
   工作标准也有一行（编号如 6.3，是否量化指标为“否”）。
3. 灰色列（编号、工作标准、原文）已锁定，不能修改；请不要增删行、不要改动表头。
4. 各列怎么填：
   是否量化指标：是 / 否。原文中界定范围的数字（如“投资超10亿元或1亿美元项目20个”中的
       10亿元、1亿美元）不是目标，选“否”。没有量化指标的工作标准如需考核，选“是”并填写
       指标名称、目标值、计量单位等。
   目标值：数字，不带单位；计量单位：家、个、亿元、% 等。
   比较关系：≥ 不低于（以上、不少于、达到）；> 超过（超、突破）；≤ 不超过（以内、以下、
       控制在）；< 低于；约 左右。
   指标类型：累计型（新增、完成、招引、建成：全年从零累计到目标）；水平型（从上年末的基数
       提升到目标，须填基数）；比率型（占比、增长率：随时须满足比较关系）。
   进度曲线：按月均匀（默认）；到期考核（一个奖项、一块牌子：到完成期限才考核）；或在
       “进度曲线”表中自定义的季节曲线名称。
   完成期限：日期，如 {year}-12-31（原文写“6月底前”的已按 6 月 30 日填好）。
   力争：是 / 否。
   考核方式：有量化指标的为“量化指标”；没有量化指标的工作标准选“常态工作”（坚持、深化、严格
       落实之类全年持续的工作：每月看进展情况是否写明本月做了什么、是否照抄上月）或“节点任务”
       （建成、竣工通车、开工、挂牌之类有完成状态的工作：牵头单位报节点计划，经督查室审定后
       按节点考核）。程序已按原文用词给出建议，请逐条确认。
5. 填好后保存（文件名可改），运行：
   progress-audit standards review 指标审核表.xlsx --year {year}
   程序逐格检查；有错时指出单元格（如 审核!F7）并且不做任何修改，改正后再运行即可。
   检查通过后，{year}年的目录即按审核结果更新，填报模板和月度督查随之使用。
"""


def _write_guide(wb, year: int) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    ws.column_dimensions["A"].width = 110
    for r, line in enumerate(GUIDE.format(year=year).splitlines(), start=1):
        cell = ws.cell(r, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1:
            cell.font = Font(bold=True, size=14)
    ws.protection.sheet = True


# --- reading the reviewed workbook back ------------------------------------------------------


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    text = text.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError
    return float(text)


def _date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError
    return date(int(m[1]), int(m[2]), int(m[3]))


def _choice(value: Any, labels: dict[str, str]) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    for key, label in labels.items():
        if text in (key, label, label.split(" ")[-1], label.split(" ")[0]):
            return key
    raise ValueError


def _read_profiles(wb, problems: list[str]) -> dict[str, Profile]:
    profiles: dict[str, Profile] = {}
    if PROFILE_SHEET not in wb.sheetnames:
        return profiles
    ws = wb[PROFILE_SHEET]
    for r in range(4, ws.max_row + 1):
        name = ws.cell(r, 1).value
        if name is None or not str(name).strip():
            continue
        name = str(name).strip()
        if name in BUILTIN_PROFILES.values():
            continue
        shares: list[float] = []
        for c in range(2, 14):
            ref = f"{PROFILE_SHEET}!{_letter(c)}{r}"
            raw = ws.cell(r, c).value
            try:
                share = _number(str(raw).rstrip("%")) if isinstance(raw, str) else _number(raw)
            except ValueError:
                share = None
            if share is None:
                problems.append(f"{ref}：请填写 {c - 1} 月末累计应完成的比例（如 0.5 或 50%）")
                break
            shares.append(share / 100 if isinstance(raw, str) and "%" in raw else share)
        if len(shares) != 12:
            continue
        try:
            check_profile(name, "monthly", tuple(shares), f"{PROFILE_SHEET}!A{r}")
        except AnswersError as e:
            problems.append(str(e))
            continue
        note = ws.cell(r, 14).value
        profiles[name] = Profile(name, "monthly", tuple(shares), str(note or ""))
    return profiles


def read_review(path: Path, cat: Catalogue) -> Answers:
    """The answers of a reviewed workbook for `cat`. Raises ReviewError naming the bad cell."""
    try:
        wb = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as e:
        raise ReviewError(f"{path}：无法作为 Excel 工作簿打开（{e}）") from e
    if SHEET not in wb.sheetnames:
        raise ReviewError(f"{path}：没有“{SHEET}”工作表，这不是指标审核表")
    ws = wb[SHEET]
    title = str(ws["A1"].value or "")
    if not title.startswith(f"{cat.year}年"):
        raise ReviewError(
            f"{SHEET}!A1：这张审核表是“{title}”，不是 {cat.year} 年的（请核对 --year 和文件）"
        )
    for i, column in enumerate(COLUMNS, start=1):
        if str(ws.cell(HEADER_ROW, i).value or "").strip() != column.header:
            raise ReviewError(
                f"{SHEET}!{_letter(i)}{HEADER_ROW}：表头应为“{column.header}”（请勿改动表头）"
            )
    problems: list[str] = []
    profiles = _read_profiles(wb, problems)
    profile_labels = {**BUILTIN_PROFILES, **{n: n for n in profiles}}

    expected = [
        (s, m) for s in cat.standards for m in (s.metrics or (None,))
    ]  # the rows as written
    metrics: dict[str, dict[str, Any]] = {}
    no_target: set[str] = set()
    kept: dict[str, int] = {}
    tracks: dict[str, str] = {}
    for offset, (standard, metric) in enumerate(expected):
        r = HEADER_ROW + 1 + offset
        row_id = str(ws.cell(r, COL["编号"]).value or "").strip()
        want = metric.id if metric else standard.id
        if row_id != want:
            raise ReviewError(
                f"{SHEET}!A{r}：编号应为 {want}，实为 {row_id or '空'}"
                "（请勿增删行或改动编号；如需重来，用导入时生成的审核表）"
            )

        def cell(header: str, r: int = r) -> tuple[Any, str]:
            c = COL[header]
            return ws.cell(r, c).value, f"{SHEET}!{_letter(c)}{r}"

        value, ref = cell("考核方式")
        try:
            track = _choice(value, TRACK_LABELS)
        except ValueError:
            problems.append(
                f"{ref}：考核方式应为 {'、'.join(TRACK_LABELS.values())} 之一，实为 {value!r}"
            )
            track = None
        if track in UNNUMBERED_TRACKS:
            tracks.setdefault(standard.id, track)
        value, ref = cell("是否量化指标")
        try:
            keep = _choice(value, {YES: YES, NO: NO})
        except ValueError:
            keep = None
        if keep is None:
            problems.append(f"{ref}：是否量化指标应为“是”或“否”，实为 {value!r}")
            continue
        if keep == NO:
            # A number struck out as a qualifier keeps its row's 量化指标: the standard's
            # other rows, or its words, then give its track.
            if not kept.get(standard.id):
                no_target.add(standard.id)
            continue
        spec = _read_metric(cell, metric, profile_labels, cat.year, problems)
        if spec is None:
            continue
        n = kept.get(standard.id, 0) + 1
        kept[standard.id] = n
        no_target.discard(standard.id)
        metrics[f"{standard.id}.{n}"] = spec
    beyond = ws.cell(HEADER_ROW + 1 + len(expected), COL["编号"]).value
    if beyond is not None and str(beyond).strip():
        problems.append(
            f"{SHEET}!A{HEADER_ROW + 1 + len(expected)}：多出的行 {beyond}（请勿增加行）"
        )
    wb.close()
    if problems:
        more = f"（共 {len(problems)} 处有误，改正后重新运行）" if len(problems) > 1 else ""
        raise ReviewError(problems[0] + more)
    for s in cat.standards:
        if s.id not in kept:
            no_target.add(s.id)
    chosen = {
        s.id: tracks.get(s.id) or suggest_track(s.standard)
        for s in cat.standards
        if s.id not in kept
    }
    return Answers(str(path), profiles, metrics, frozenset(no_target), chosen)


def _read_metric(cell, metric: Metric | None, profile_labels, year: int, problems: list[str]):
    """One row's metric, every cell checked; None (with the problems noted) when one is bad."""
    bad = len(problems)
    name, ref = cell("指标名称")
    if name is None or not str(name).strip():
        problems.append(f"{ref}：请填写指标名称")
    value, ref = cell("目标值")
    try:
        target = _number(value)
        if target is None:
            problems.append(f"{ref}：请填写目标值（数字）")
    except ValueError:
        target = None
        problems.append(f"{ref}：目标值应为数字（不带单位），实为 {value!r}")
    unit, ref = cell("计量单位")
    if unit is None or not str(unit).strip():
        problems.append(f"{ref}：请填写计量单位（如 家、个、亿元、%）")
    fields: dict[str, str | None] = {}
    for header, key, labels in (
        ("比较关系", "comparator", COMPARATOR_LABELS),
        ("指标类型", "kind", KIND_LABELS),
        ("进度曲线", "profile", profile_labels),
    ):
        value, ref = cell(header)
        try:
            fields[key] = _choice(value, labels)
        except ValueError:
            fields[key] = None
        if fields[key] is None:
            problems.append(
                f"{ref}：{header}应为 {'、'.join(labels.values())} 之一，实为 {value!r}"
            )
    value, ref = cell("基数")
    try:
        baseline = _number(value)
    except ValueError:
        baseline = None
        problems.append(f"{ref}：基数应为数字，实为 {value!r}")
    if fields["kind"] == "level" and baseline is None and len(problems) == bad:
        problems.append(f"{ref}：水平型指标须填写基数（上年末的值）")
    value, ref = cell("完成期限")
    try:
        deadline = _date(value)
        if deadline is None:
            problems.append(f"{ref}：请填写完成期限（如 {year}-12-31）")
        elif deadline.year not in (year, year + 1):
            problems.append(f"{ref}：完成期限 {deadline} 不在 {year} 年")
    except ValueError:
        deadline = None
        problems.append(f"{ref}：完成期限应为日期（如 {year}-12-31），实为 {value!r}")
    value, ref = cell("力争")
    try:
        strive = _choice(value, {YES: YES, NO: NO}) == YES
    except ValueError:
        strive = False
        problems.append(f"{ref}：力争应为“是”或“否”，实为 {value!r}")
    if len(problems) > bad:
        return None
    spec: dict[str, Any] = {
        "text": metric.text if metric else "",
        "name": str(name).strip(),
        "target": target,
        "unit": str(unit).strip(),
        "comparator": fields["comparator"],
        "kind": fields["kind"],
        "profile": fields["profile"],
        "deadline": deadline,
        "strive": strive,
    }
    if fields["kind"] == "level":
        note, _ = cell("基数说明")
        spec["baseline"] = baseline
        spec["baseline_note"] = str(note or "").strip()
    return spec
