"""The 2019 standards catalogue, checked against the table by hand-read expectations."""

from __future__ import annotations

import re
from datetime import date

import pytest

from progress_audit.standards.catalogue import CatalogueError, parse_catalogue
from tests.conftest import STANDARDS_DIR, TABLE_2019

REVIEW_2019 = STANDARDS_DIR / "2019" / "review.toml"


def test_21_goals_and_101_standards(catalogue_2019):
    assert [g.no for g in catalogue_2019.goals] == list(range(1, 22))
    assert len(catalogue_2019.standards) == 101
    # Independent count: the table's own （n） markers at the start of a cell, per goal.
    per_goal: list[int] = []
    for line in TABLE_2019.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\t\d+$", line):
            per_goal.append(0)
        elif re.match(r"^\t（\d+）", line):
            per_goal[-1] += 1
    expected_ids = [f"{g}.{n}" for g, count in enumerate(per_goal, 1) for n in range(1, count + 1)]
    assert [s.id for s in catalogue_2019.standards] == expected_ids
    assert len(expected_ids) == 101


@pytest.mark.parametrize(
    ("goal_no", "name"),
    [
        (1, "聚焦项目招引"),
        (10, "加大生态产品供给量"),
        (11, "打好污染防治攻坚战"),
        (12, "健全环境监管新机制"),
        (17, "推进文化建设高质量"),
        (18, "持续创新社会治理"),
        (21, "营造风清气正的政治生态"),
    ],
)
def test_wrapped_goal_names_are_joined(catalogue_2019, goal_no, name):
    assert catalogue_2019.goals[goal_no - 1].name == name


@pytest.mark.parametrize(
    ("sid", "field", "expected"),
    [
        ("3.8", "lead_units", ("地方金融监督管理局",)),
        ("3.8", "participants", ("各板块", "人民银行", "各金融机构")),
        ("4.3", "lead_units", ("地方金融监督管理局",)),
        ("6.3", "participants", ("科技局", "地方金融监督管理局", "人才办")),
        ("10.3", "participants", ("薛埠镇", "文体广电和旅游局")),
        ("14.3", "lead_units", ("薛埠镇", "尧塘街道", "儒林镇")),
        ("14.3", "participants", ("文体广电和旅游局", "农业农村局")),
        ("3.3", "lead_units", ("老城办", "开发区")),
        ("3.3", "participants", ("自然资源局",)),
        ("1.1", "participants", ("各板块", "各单位、部门")),
        ("2.1", "leaders", ("陶伟",)),
        ("14.4", "leaders", ("周文俊", "朱霞")),
        ("14.4", "lead_units", ("住建局", "农业农村局")),
        ("16.2", "lead_units", ("人社局", "金坛医疗保障分局")),
        ("20.1", "lead_units", ("各单位、部门",)),
        ("20.1", "participants", ()),
        ("21.1", "leaders", ("各区长",)),
        ("21.1", "participants", ()),
        ("5.3", "participants", ("商务局", "金坛生态环境局", "自然资源局")),
    ],
)
def test_names_are_clean_lists(catalogue_2019, sid, field, expected):
    assert getattr(catalogue_2019.standard(sid), field) == expected


def test_no_fragment_of_a_wrapped_name_survives(catalogue_2019):
    names = {u.name for u in catalogue_2019.units}
    for fragment in ("管理局", "旅游局", "地方金融监督", "文体广电和"):
        assert fragment not in names
    for name in names:
        assert not re.search(r"\s", name)
        assert not name.endswith(("和", "及"))


def test_unit_registry_keeps_collective_names_as_groups(catalogue_2019):
    groups = {u.name for u in catalogue_2019.units if u.is_group}
    assert {"各板块", "各单位、部门", "相关部门", "相关板块"} <= groups
    assert "商务局" not in groups
    units = {u.name: u for u in catalogue_2019.units}
    assert units["农业农村局"].lead_of[:2] == ("13.1", "13.2")
    assert "16.1" in units["人社局"].lead_of


def test_leaders_have_no_padding_spaces(catalogue_2019):
    leaders = {name for s in catalogue_2019.standards for name in s.leaders}
    assert leaders == {
        "周新生",
        "陶伟",
        "周文俊",
        "沈东",
        "凤启龙",
        "王斌",
        "朱霞",
        "刘明江",
        "王晓航",
        "各区长",
    }


# Every numeric target of the 2019 table, read by hand from the text:
# (id, target, unit, comparator, kind, profile)
EXPECTED_METRICS = [
    ("1.1.1", 500, "亿元", ">=", "cumulative", "linear"),
    ("1.1.2", 60, "%", ">", "rate", "linear"),
    ("1.1.3", 3, "个", ">=", "cumulative", "linear"),
    ("2.2.1", 50, "%", ">=", "rate", "linear"),
    ("3.2.1", 5000, "亩", ">=", "cumulative", "linear"),
    ("4.3.1", 2, "家", ">=", "cumulative", "linear"),
    ("4.3.2", 12, "家", ">=", "cumulative", "linear"),
    ("6.1.1", 20, "家", ">=", "cumulative", "linear"),
    ("6.1.2", 3, "家", ">=", "cumulative", "linear"),
    ("6.1.3", 10, "家", "~", "cumulative", "linear"),
    ("6.4.1", 14.8, "件", ">=", "level", "linear"),
    ("6.4.2", 1, "件", ">=", "cumulative", "deadline"),
    ("6.4.3", 2, "个", ">=", "cumulative", "linear"),
    ("6.4.4", 1, "家", ">=", "cumulative", "deadline"),
    ("6.4.5", 1, "家", ">=", "cumulative", "deadline"),
    ("11.5.1", 15, "个", ">=", "cumulative", "linear"),
    ("13.5.1", 8, "%", ">=", "rate", "linear"),
    ("13.5.2", 100, "万元", ">=", "level", "linear"),
    ("13.6.1", 8500, "元", ">=", "level", "linear"),
    ("15.4.1", 5, "家", ">=", "cumulative", "linear"),
    ("16.1.1", 9000, "人", ">=", "cumulative", "employment"),
    ("16.4.1", 8, "所", ">=", "cumulative", "linear"),
]


def test_every_metric_by_value_unit_comparator_kind(catalogue_2019):
    got = [
        (m.id, m.target, m.unit, m.comparator, m.kind, m.profile.name)
        for m in catalogue_2019.metrics
    ]
    assert got == [tuple(e) for e in EXPECTED_METRICS]


@pytest.mark.parametrize(
    ("mid", "name"),
    [
        ("6.1.1", "新增高新技术企业"),
        ("6.1.3", "新增各类新型研发机构（中心）"),
        ("3.2.1", "盘活存量用地"),
        ("16.1.1", "城镇新增就业"),
        ("2.2.1", "设备投入占比"),
        ("6.4.1", "万人发明专利拥有量"),
        ("16.4.1", "学校建成投用"),
    ],
)
def test_metric_names(catalogue_2019, mid, name):
    assert next(m for m in catalogue_2019.metrics if m.id == mid).name == name


def test_targets_to_strive_for_are_marked(catalogue_2019):
    strive = {m.id for m in catalogue_2019.metrics if m.strive}
    assert strive == {"3.2.1", "6.4.4", "6.4.5"}


def test_category_numbers_are_not_targets(catalogue_2019):
    found = {(m.target, m.unit) for m in catalogue_2019.metrics}
    assert (30, "亿元") not in found and (3, "亿美元") not in found
    for sid in ("3.10", "4.2", "5.3", "5.5", "10.4", "13.5", "18.2"):
        for m in catalogue_2019.standard(sid).metrics:
            assert m.target not in (5, 3550, 4, 500) or m.unit != "", m


def test_each_one_is_one_target_per_award(catalogue_2019):
    m4, m5 = catalogue_2019.standard("6.4").metrics[3:5]
    assert "省长质量奖" in m4.name and "市长质量奖" in m5.name
    assert m4.target == m5.target == 1


def test_every_reviewed_target_appears_in_its_standards_text(catalogue_2019):
    import tomllib

    reviewed = tomllib.loads(REVIEW_2019.read_text(encoding="utf-8"))
    assert len(reviewed["metrics"]) == len(EXPECTED_METRICS)
    for metric_id, facts in reviewed["metrics"].items():
        standard = catalogue_2019.standard(metric_id.rsplit(".", 1)[0])
        number = f"{facts['target']:g}"
        assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", standard.standard), (
            metric_id,
            number,
        )


def test_level_metrics_have_a_baseline_and_say_it_is_illustrative(catalogue_2019):
    for m in catalogue_2019.metrics:
        if m.kind == "level":
            assert m.baseline is not None and m.baseline < m.target
            assert "示例" in m.baseline_note


def test_deadlines_are_the_years_end(catalogue_2019):
    assert {s.deadline for s in catalogue_2019.standards} == {date(2019, 12, 31)}
    assert {m.deadline for m in catalogue_2019.metrics} == {date(2019, 12, 31)}


def test_json_has_the_contract_fields(catalogue_2019):
    data = catalogue_2019.to_json()
    s = next(x for x in data["standards"] if x["id"] == "6.1")
    assert set(s) >= {
        "id",
        "goal_no",
        "goal",
        "standard",
        "leaders",
        "lead_units",
        "participants",
        "deadline",
        "metrics",
    }
    m = s["metrics"][0]
    assert set(m) >= {"id", "name", "target", "unit", "comparator", "kind", "profile", "deadline"}
    assert m["deadline"] == "2019-12-31"
    assert s["standard"].startswith("加快资源要素")  # the （1） numbering lives in the id


# --- bad input: one clear error naming the line, never a partial catalogue -----------------


def _parse(text: str, tmp_path):
    return parse_catalogue(text, tmp_path / "none.toml", 2019, "table.txt")


def test_malformed_row_names_its_line(tmp_path):
    text = TABLE_2019.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = lines.index("\t（2）突出项目有效投入，设备投入占比不低于50%。")
    lines[at + 1] = lines[at + 1].lstrip("\t")  # the leader's cell loses its tab
    with pytest.raises(CatalogueError) as e:
        _parse("\n".join(lines), tmp_path)
    first, last = map(int, re.search(r"第(\d+)–(\d+)行", str(e.value)).groups())
    assert first <= at + 2 <= last and last - first < 8  # names the broken row, not the file


def test_row_with_a_missing_cell_names_its_line(tmp_path):
    lines = TABLE_2019.read_text(encoding="utf-8").splitlines()
    at = lines.index("\t（2）突出项目有效投入，设备投入占比不低于50%。")
    del lines[at + 1]  # the leader's cell is gone
    with pytest.raises(CatalogueError, match=r"第\d+–\d+行：这一行有 5 列，应有 6 列"):
        _parse("\n".join(lines), tmp_path)


def test_missing_column_is_named(tmp_path):
    text = TABLE_2019.read_text(encoding="utf-8").replace("\t参与单位\n", "", 1)
    with pytest.raises(CatalogueError, match="表头缺少列 参与单位"):
        _parse(text, tmp_path)


def test_unknown_goal_number_names_its_line(tmp_path):
    lines = TABLE_2019.read_text(encoding="utf-8").splitlines()
    at = lines.index("\t7")
    lines[at] = "\t8"
    with pytest.raises(CatalogueError, match=rf"第{at + 1}行：目标序号 8 不连续，此处应为 7"):
        _parse("\n".join(lines), tmp_path)


def test_reviewed_words_not_in_the_table_fail_loudly(tmp_path):
    review = tmp_path / "review.toml"
    review.write_text(
        REVIEW_2019.read_text(encoding="utf-8").replace(
            'text = "城镇新增就业9000人"', 'text = "城镇新增就业900人"'
        ),
        encoding="utf-8",
    )
    text = TABLE_2019.read_text(encoding="utf-8")
    with pytest.raises(CatalogueError, match=r'\[metrics."16.1.1"\]：原文 \'城镇新增就业900人\''):
        parse_catalogue(text, review, 2019, "table.txt")


def test_reviewed_metric_of_a_standard_not_in_the_table_fails(tmp_path):
    review = tmp_path / "review.toml"
    review.write_text(
        '[metrics."7.9.1"]\nname = "x"\ntarget = 3\nunit = "个"\ncomparator = ">="\n'
        'kind = "cumulative"\nprofile = "linear"\ndeadline = 2019-12-31\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match=r"7\.9"):
        parse_catalogue(TABLE_2019.read_text(encoding="utf-8"), review, 2019, "t")
