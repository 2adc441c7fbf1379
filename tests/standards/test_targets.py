"""Finding targets in text: the rules beyond the 2019 table."""

from __future__ import annotations

from datetime import date

from progress_audit.standards.catalogue import standard_deadline
from progress_audit.standards.catalogue.names import split_units
from progress_audit.standards.catalogue.targets import default_kind, find_targets


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
        "能耗不超过3万吨": "<=",
        "细颗粒物浓度不高于40%": "<=",
        "规上工业产值突破1000亿元": ">",
        "城镇登记失业率3%以下": "<=",
    }
    for text, comparator in cases.items():
        (t,) = find_targets(text)
        assert t.comparator == comparator, text


def test_numbers_without_a_unit_or_part_of_a_code_are_not_targets():
    assert find_targets("以“3550”标准推进审批，高起点规划建设5G通信网络") == []
    assert find_targets("创建国家5A级景区，吸引世界500强企业，德国工业4.0制造基地") == []


def test_qualifiers_are_not_targets():
    (t,) = find_targets("协议投资超30亿元或3亿美元工业项目不少于3个")
    assert (t.target, t.unit, t.comparator) == (3, "个", ">=")
    (t,) = find_targets("引进投资超10亿元或1亿美元项目20个")
    assert (t.target, t.unit) == (20, "个")
    (t,) = find_targets("新开工亿元以上项目30个")
    assert (t.target, t.unit) == (30, "个")


def test_standards_without_a_number_have_no_target():
    assert find_targets("稳中提质") == []
    assert find_targets("完成市下达任务") == []


def test_growth_amounts_and_counts():
    cases = {
        "地区生产总值增长6%以上": (6, "%", ">=", "rate"),
        "一般公共预算收入增长5%左右": (5, "%", "~", "rate"),
        "全年确保完成固定资产投资65亿元": (65, "亿元", ">=", "cumulative"),
        "规上工业产值突破1000亿元": (1000, "亿元", ">", "cumulative"),
        "新认定高企150家": (150, "家", ">=", "cumulative"),
        "招引项目不少于200个": (200, "个", ">=", "cumulative"),
        "新增规上企业100家以上": (100, "家", ">=", "cumulative"),
        "城镇登记失业率控制在3%以内": (3, "%", "<=", "rate"),
        "建成示范点20个": (20, "个", ">=", "cumulative"),
    }
    for text, expected in cases.items():
        (t,) = find_targets(text)
        assert (t.target, t.unit, t.comparator, default_kind(t)) == expected, text


def test_split_units_joins_wraps_and_keeps_whole_names():
    assert split_units(["地方金融监督", "管理局"]) == ("地方金融监督管理局",)
    assert split_units(["文体广电和", "旅游局"]) == ("文体广电和旅游局",)
    assert split_units(["老城办", "开发区"]) == ("老城办", "开发区")
    assert split_units(["各板块", "各单位、部门"]) == ("各板块", "各单位、部门")


def test_deadline_words():
    assert standard_deadline("年内新增5家以上", 2019) == date(2019, 12, 31)
    assert standard_deadline("6月底前完成改造", 2019) == date(2019, 6, 30)
    assert standard_deadline("力争9月前建成", 2019) == date(2019, 9, 30)
