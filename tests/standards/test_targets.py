"""Finding targets in text: the rules beyond the 2019 table."""

from __future__ import annotations

from datetime import date

from progress_audit.standards.catalogue import standard_deadline
from progress_audit.standards.catalogue.names import split_units
from progress_audit.standards.catalogue.targets import find_targets


def test_comparators():
    cases = {
        "设备投入占比不低于50%": ">=",
        "引进项目不少于3个": ">=",
        "专利拥有量达到14.8件": ">=",
        "占比超60%": ">",
        "研发机构10家左右": "~",
        "盘活存量用地5000亩以上": ">=",
        "新增高新技术企业20家": ">=",
        "能耗控制在3万吨以内": "<=",
    }
    for text, comparator in cases.items():
        (t,) = find_targets(text)
        assert t.comparator == comparator, text


def test_numbers_without_a_unit_or_part_of_a_code_are_not_targets():
    assert find_targets("以“3550”标准推进审批，高起点规划建设5G通信网络") == []
    assert find_targets("创建国家5A级景区，吸引世界500强企业，德国工业4.0制造基地") == []


def test_skip_span_removes_category_numbers():
    text = "协议投资超30亿元或3亿美元工业项目不少于3个"
    assert [t.target for t in find_targets(text)] == [30, 3, 3]
    (t,) = find_targets(text, ("超30亿元或3亿美元",))
    assert (t.target, t.unit, t.comparator) == (3, "个", ">=")


def test_split_units_joins_wraps_and_keeps_whole_names():
    assert split_units(["地方金融监督", "管理局"]) == ("地方金融监督管理局",)
    assert split_units(["文体广电和", "旅游局"]) == ("文体广电和旅游局",)
    assert split_units(["老城办", "开发区"]) == ("老城办", "开发区")
    assert split_units(["各板块", "各单位、部门"]) == ("各板块", "各单位、部门")


def test_deadline_words():
    assert standard_deadline("年内新增5家以上", 2019) == date(2019, 12, 31)
    assert standard_deadline("6月底前完成改造", 2019) == date(2019, 6, 30)
    assert standard_deadline("力争9月前建成", 2019) == date(2019, 9, 30)
