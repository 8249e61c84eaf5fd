"""The four sectors a trading center serves, and their procedures (glossary: The four sectors)."""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    construction = "construction"  # 工程建设招标投标
    procurement = "procurement"  # 政府采购
    land = "land"  # 国有建设用地使用权出让
    property = "property"  # 产权交易


SECTOR_ZH = {
    Sector.construction: "工程建设",
    Sector.procurement: "政府采购",
    Sector.land: "土地使用权出让",
    Sector.property: "产权交易",
}


class Procedure(StrEnum):
    open_tender = "open_tender"  # 公开招标
    invited_tender = "invited_tender"  # 邀请招标
    competitive_negotiation = "competitive_negotiation"  # 竞争性谈判
    competitive_consultation = "competitive_consultation"  # 竞争性磋商
    request_for_quotation = "request_for_quotation"  # 询价
    single_source = "single_source"  # 单一来源
    land_tender = "land_tender"  # 招标出让
    land_auction = "land_auction"  # 拍卖出让
    land_listing = "land_listing"  # 挂牌出让
    listed_transfer = "listed_transfer"  # 挂牌转让
    capital_increase = "capital_increase"  # 增资


PROCEDURES: dict[Sector, frozenset[Procedure]] = {
    Sector.construction: frozenset({Procedure.open_tender, Procedure.invited_tender}),
    Sector.procurement: frozenset(
        {
            Procedure.open_tender,
            Procedure.invited_tender,
            Procedure.competitive_negotiation,
            Procedure.competitive_consultation,
            Procedure.request_for_quotation,
            Procedure.single_source,
        }
    ),
    Sector.land: frozenset({Procedure.land_tender, Procedure.land_auction, Procedure.land_listing}),
    Sector.property: frozenset({Procedure.listed_transfer, Procedure.capital_increase}),
}

PROCEDURE_ZH = {
    Procedure.open_tender: "公开招标",
    Procedure.invited_tender: "邀请招标",
    Procedure.competitive_negotiation: "竞争性谈判",
    Procedure.competitive_consultation: "竞争性磋商",
    Procedure.request_for_quotation: "询价",
    Procedure.single_source: "单一来源",
    Procedure.land_tender: "招标出让",
    Procedure.land_auction: "拍卖出让",
    Procedure.land_listing: "挂牌出让",
    Procedure.listed_transfer: "挂牌转让",
    Procedure.capital_increase: "增资扩股",
}
