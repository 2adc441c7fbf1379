"""A new year's table (contract section 7): import it into the workspace, then review it.

`import_table` reads the office's file in any form, builds the catalogue with the targets found
and the kinds suggested, and writes, all or nothing, `DIR/standards/<year>/`: the original
file (`responsibility-table.<ext>`), `catalogue.json` and the review workbook. `review_table`
reads the reviewed workbook back and rewrites the answers (`review.toml`) and `catalogue.json`,
or changes nothing. From then on `load_catalogue(year, standards_dir, DIR)` finds the year.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from pathlib import Path

from progress_audit.files.atomic import write_text
from progress_audit.standards.catalogue import (
    ANSWERS_FILE,
    CATALOGUE_FILE,
    REVIEW_WORKBOOK,
    TABLE_STEM,
    Catalogue,
    CatalogueError,
    display_path,
    load_catalogue,
    table_file,
)
from progress_audit.standards.catalogue.answers import Answers, AnswersError, dump_answers
from progress_audit.standards.catalogue.build import build_catalogue
from progress_audit.standards.catalogue.tracks import UNNUMBERED_TRACKS, track_label
from progress_audit.standards.review import ReviewError, read_review, write_review
from progress_audit.standards.tables import SUFFIXES, TableError, read_table

SHIPPED_YEAR = 2019


class YearError(ValueError):
    """The table cannot be imported or reviewed; one line for the office, nothing written."""


@dataclass(frozen=True)
class NewName:
    """A unit name the previous year's catalogue does not have, and what it may be."""

    name: str
    maybe: str | None = None


@dataclass(frozen=True)
class Imported:
    catalogue: Catalogue
    folder: Path
    review_workbook: Path
    previous: Catalogue | None
    new_names: tuple[NewName, ...]


def workspace_folder(data_dir: Path, year: int) -> Path:
    return Path(data_dir) / "standards" / str(year)


def previous_catalogue(year: int, standards_dir: Path, data_dir: Path) -> Catalogue | None:
    """The catalogue to compare names with: the year before's (workspace first), else the
    latest earlier year the workspace or the project has, else the shipped 2019 one."""
    years: set[int] = set()
    for place in (Path(data_dir) / "standards", Path(standards_dir)):
        for p in place.glob("*"):
            if p.name.isdigit() and int(p.name) < year and table_file(p) is not None:
                years.add(int(p.name))
    for candidate in sorted(years, reverse=True):
        try:
            return load_catalogue(candidate, standards_dir, data_dir)
        except CatalogueError:
            continue
    if year != SHIPPED_YEAR:
        try:
            return load_catalogue(SHIPPED_YEAR, standards_dir)
        except CatalogueError:
            return None
    return None


def new_names(cat: Catalogue, previous: Catalogue | None) -> tuple[NewName, ...]:
    """Unit names of `cat` that `previous` does not have, each with a likely old name."""
    if previous is None:
        return ()
    known = {u.name for u in previous.units}
    out: list[NewName] = []
    for unit in cat.units:
        if unit.name in known:
            continue
        out.append(NewName(unit.name, _likely(unit.name, known)))
    return tuple(out)


def _likely(name: str, known: set[str]) -> str | None:
    """区发改局 → 发改局; 金坛区文体广电和旅游局 → 文体广电和旅游局; 金坛生态环境局 ← 生态环境局."""
    bare = name.removeprefix("区")
    candidates = [
        k
        for k in known
        if k != name
        and len(k) >= 3
        and (bare == k or name.endswith(k) or k.endswith(bare))
        and abs(len(k) - len(name)) <= 4
    ]
    return max(candidates, key=len) if candidates else None


def _build(table: Path, source: str, answers: Answers, year: int, aliases) -> Catalogue:
    try:
        rows = read_table(table, source)
        return build_catalogue(rows, answers, year, display_path(table), aliases)
    except (TableError, AnswersError) as e:
        raise YearError(str(e)) from e


def import_table(
    file: Path,
    year: int,
    data_dir: Path,
    standards_dir: Path,
    aliases: Mapping[str, str] | None = None,
    *,
    replace: bool = False,
) -> Imported:
    """Read `file` and write the year's folder in the workspace, or raise and write nothing."""
    file = Path(file)
    if not file.is_file():
        raise YearError(f"找不到文件 {file}")
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        raise YearError(
            f"{file}：无法识别的文件类型 {suffix or '（无扩展名）'}；请提供 Word（.docx）、"
            "Excel（.xlsx）、网页（.html）或文本导出（.txt）；.doc、.xls 请先另存为新格式"
        )
    if not 2000 <= year <= 2100:
        raise YearError(f"--year {year}：年份不对")
    folder = workspace_folder(data_dir, year)
    if folder.exists() and any(folder.iterdir()) and not replace:
        raise YearError(
            f"{folder} 已有 {year} 年的责任分解表；如要用新文件重新导入（审核结果将作废），"
            "请加 --replace"
        )
    final_table = folder / f"{TABLE_STEM}{'.html' if suffix == '.htm' else suffix}"
    try:
        rows = read_table(file, str(file))
        cat = build_catalogue(rows, Answers(""), year, str(file), aliases)
    except (TableError, AnswersError) as e:
        raise YearError(str(e)) from e
    if not cat.standards:
        raise YearError(f"{file}：表中没有工作标准")
    cat = replace_fields(cat, source=display_path(final_table))
    previous = previous_catalogue(year, standards_dir, data_dir)

    # Everything is written in a folder beside, then put in place in one rename.
    staging = folder.with_name(f".{year}.importing")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        _put_in_place(file, staging, folder, final_table.name, cat)
    except OSError as e:
        raise YearError(f"无法写入 {folder}：{e.strerror or e}") from e
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Imported(cat, folder, folder / REVIEW_WORKBOOK, previous, new_names(cat, previous))


def _put_in_place(file: Path, staging: Path, folder: Path, table_name: str, cat: Catalogue) -> None:
    """Write the year's files into `staging`, then rename it to `folder` (replacing it)."""
    shutil.copyfile(file, staging / table_name)
    _write_catalogue(staging, cat)
    write_review(cat, staging / REVIEW_WORKBOOK)
    if folder.exists():
        old = folder.with_name(f".{folder.name}.replaced")
        shutil.rmtree(old, ignore_errors=True)
        folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(folder)


def _write_catalogue(folder: Path, cat: Catalogue) -> None:
    text = json.dumps(cat.to_json(), ensure_ascii=False, indent=2) + "\n"
    write_text(folder / CATALOGUE_FILE, text)


@dataclass(frozen=True)
class Reviewed:
    catalogue: Catalogue
    before: Catalogue
    folder: Path


def review_table(
    file: Path,
    year: int,
    data_dir: Path,
    aliases: Mapping[str, str] | None = None,
) -> Reviewed:
    """Apply a reviewed workbook to the year's folder, or raise and change nothing."""
    folder = workspace_folder(data_dir, year)
    table = table_file(folder)
    if table is None:
        raise YearError(
            f"工作区中没有 {year} 年的责任分解表（{folder}）；请先运行 progress-audit standards "
            f"import 表格文件 --year {year}"
        )
    file = Path(file)
    if not file.is_file():
        raise YearError(f"找不到文件 {file}")
    imported = _build(table, display_path(table), Answers(""), year, aliases)
    try:
        answers = read_review(file, imported)
    except ReviewError as e:
        raise YearError(str(e)) from e
    answers = replace_fields(answers, source=str(folder / ANSWERS_FILE))
    cat = _build(table, display_path(table), answers, year, aliases)
    header = (
        f"{year} 年重点任务责任分解表：审核结果（由 progress-audit standards review 根据\n"
        f"{file.name} 写出；如需修改，请改审核表后重新运行，不要直接改这个文件）"
    )
    before = load_catalogue(year, folder.parent, data_dir)
    try:
        write_text(folder / ANSWERS_FILE, dump_answers(answers, year, header) + "\n")
        _write_catalogue(folder, cat)
        if file.resolve() != (folder / REVIEW_WORKBOOK).resolve():
            shutil.copyfile(file, folder / REVIEW_WORKBOOK)  # the reviewed workbook kept
    except OSError as e:
        raise YearError(f"无法写入 {folder}：{e.strerror or e}") from e
    return Reviewed(cat, before, folder)


def import_lines(result: Imported) -> list[str]:
    """What the import tells the office: counts, where things are, names not seen before."""
    cat = result.catalogue
    sections = sorted({s.section for s in cat.standards if s.section})
    no_target = sum(1 for s in cat.standards if not s.metrics)
    lines = [
        f"已导入 {cat.year} 年责任分解表：目标 {len(cat.goals)} 项，"
        f"工作标准 {len(cat.standards)} 条"
        + (f"（小标题 {len(sections)} 个）" if sections else "")
        + f"，找到量化指标 {len(cat.metrics)} 个，没有量化指标的工作标准 {no_target} 条"
        f"（{track_counts(cat)}，按原文用词建议，请审核确认）。",
        f"  原表、目录和指标审核表保存在 {result.folder}/",
        f"  请督查室核对 {result.review_workbook.name}（逐行确认或改正目标值、比较关系、"
        "指标类型等），保存后运行：",
        f"  progress-audit standards review {result.review_workbook} --year {cat.year}",
    ]
    if result.previous is None:
        return lines
    if not result.new_names:
        lines.append(f"单位名称与 {result.previous.year} 年目录一致。")
        return lines
    lines.append(
        f"以下 {len(result.new_names)} 个单位名称在 {result.previous.year} 年目录中没有"
        "（新单位，或改了名称）："
    )
    for new in result.new_names:
        hint = f"（可能即 {new.maybe}）" if new.maybe else ""
        lines.append(f"  {new.name}{hint}")
    if any(n.maybe for n in result.new_names):
        example = next(n for n in result.new_names if n.maybe)
        lines.append(
            "如是改名，请在 progress-audit.toml 的 [unit_aliases] 中写明（如 "
            f'"{example.name}" = "{example.maybe}"），再加 --replace 重新导入。'
        )
    return lines


def track_counts(cat: Catalogue) -> str:
    """`常态工作 50 条、节点任务 39 条`: the standards without a target, by track."""
    return "、".join(
        f"{track_label(t)} {sum(1 for s in cat.standards if s.track == t)} 条"
        for t in UNNUMBERED_TRACKS
    )


def review_lines(result: Reviewed) -> list[str]:
    cat, before = result.catalogue, result.before
    earlier = {m.id: m for m in before.metrics}
    changed = sum(1 for m in cat.metrics if earlier.get(m.id) != m)
    data = result.folder.parent.parent
    return [
        f"审核结果已保存：{cat.year} 年量化指标 {len(cat.metrics)} 个"
        f"（审核前 {len(before.metrics)} 个，本次修改或新增 {changed} 个），"
        f"没有量化指标的工作标准 {sum(1 for s in cat.standards if not s.metrics)} 条"
        f"（{track_counts(cat)}）。",
        f"  {result.folder / ANSWERS_FILE}",
        f"  {result.folder / CATALOGUE_FILE}",
        "现在可以生成填报模板：progress-audit templates "
        f"--period {cat.year}-01 --data {data} --out 模板文件夹",
    ]
