"""The specialty taxonomy of the expert pool (评标专家专业分类), as data: a code's parent is its
prefix, so a request for `A01` draws experts of `A0101`, `A0102`, ... as well.

Top levels follow the national classification's split: construction works (A), goods (B),
services (C), land and property appraisal (D).
"""

from __future__ import annotations

SPECIALTIES: dict[str, str] = {
    "A": "工程",
    "A01": "房屋建筑工程",
    "A0101": "建筑施工",
    "A0102": "建筑结构",
    "A0103": "建筑电气与智能化",
    "A02": "市政公用工程",
    "A0201": "道路与桥梁",
    "A0202": "给水排水",
    "A03": "水利工程",
    "A04": "工程造价",
    "A0401": "建筑工程造价",
    "A0402": "市政工程造价",
    "B": "货物",
    "B01": "信息技术设备",
    "B02": "医疗设备",
    "B03": "办公设备与家具",
    "B04": "车辆",
    "C": "服务",
    "C01": "物业管理",
    "C02": "信息技术服务",
    "C03": "财务与审计",
    "C04": "法律",
    "D": "资产评估",
    "D01": "土地估价",
    "D02": "房地产估价",
    "D03": "企业国有资产评估",
}

# The economic specialties: cost engineers, accountants, appraisers (TL art. 37: "技术、经济等方面的专家").
ECONOMIC = ("A04", "C03", "D")


def is_known(code: str) -> bool:
    return code in SPECIALTIES


def covers(requested: str, held: str) -> bool:
    """An expert holding `held` serves a request for `requested` (same code or a sub-specialty)."""
    return held.startswith(requested)


def leaves() -> list[str]:
    return [code for code in SPECIALTIES if not any(o != code and o.startswith(code) for o in SPECIALTIES)]
