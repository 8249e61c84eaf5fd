"""Names of the core's codes in zh-CN and English, for pages."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from trading.portal.web import t
from trading.sectors import SECTOR_ZH, Sector

SECTOR_EN = {
    Sector.construction: "Construction works",
    Sector.procurement: "Government procurement",
    Sector.land: "Land use rights",
    Sector.property: "Property rights",
}
KINDS = {
    "call": ("招标/出让公告", "Call for tenders / offer"),
    "amendment": ("变更公告", "Amendment"),
    "candidates": ("候选人公示", "Candidates' publicity"),
    "award": ("结果公告", "Result"),
    "failure": ("流标/终止公告", "Failed / terminated"),
}


def sector_label(request: ASGIConnection[Any, Any, Any, Any], code: str) -> str:
    try:
        sector = Sector(code)
    except ValueError:
        return code
    return t(request, SECTOR_ZH[sector], SECTOR_EN[sector])


def kind_label(request: ASGIConnection[Any, Any, Any, Any], code: str) -> str:
    zh, en = KINDS.get(code, (code, code))
    return t(request, zh, en)
