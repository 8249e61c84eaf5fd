"""Every rule of shared domain/RULES.md as data, with a short Chinese statement.

The ids are stable: error codes' documentation, `DomainError.rule` and the API cite them.
`source` is copied exactly as RULES.md gives it, "(check)" marks included: those articles still
need confirming against the official text before a message quotes the article number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from trading.errors import not_found

RuleSector = Literal["construction", "procurement", "land", "property", "all"]


@dataclass(frozen=True)
class Rule:
    id: str
    sector: RuleSector
    text_en: str
    text_zh: str
    source: str


_ROWS: tuple[Rule, ...] = (
    # Construction tendering (工程建设招标投标)
    Rule(
        "C-01",
        "construction",
        "Tender must go through the center (法定必须招标) when a contract reaches: works ≥ 4,000,000 yuan; "
        "goods ≥ 2,000,000; services ≥ 1,000,000",
        "单项合同估算价达到以下标准的，必须招标并进场交易：施工400万元人民币以上；"
        "重要设备、材料等货物采购200万元人民币以上；勘察、设计、监理等服务采购100万元人民币以上",
        "MUST art. 5",
    ),
    Rule(
        "C-02",
        "construction",
        "From the day tender documents are first issued to the bid deadline: ≥ 20 days",
        "自招标文件开始发出之日起至投标人提交投标文件截止之日止，最短不得少于20日",
        "TL art. 24",
    ),
    Rule(
        "C-03",
        "construction",
        "Tender / prequalification documents on sale ≥ 5 days",
        "招标文件或者资格预审文件的发售期不得少于5日",
        "TLR art. 16",
    ),
    Rule(
        "C-04",
        "construction",
        "A clarification or amendment that may affect bid preparation must be issued ≥ 15 days before "
        "the bid deadline, otherwise the deadline moves out so that 15 days remain",
        "澄清或者修改的内容可能影响投标文件编制的，应当在投标截止时间至少15日前发出；"
        "不足15日的，应当顺延投标截止时间",
        "TL art. 23, TLR art. 21",
    ),
    Rule(
        "C-05",
        "construction",
        "Objections to the tender documents: ≥ 10 days before the bid deadline; the tenderee answers "
        "within 3 days and pauses meanwhile",
        "对招标文件有异议的，应当在投标截止时间10日前提出；"
        "招标人应当自收到异议之日起3日内作出答复，作出答复前暂停招标投标活动",
        "TLR art. 22",
    ),
    Rule(
        "C-06",
        "construction",
        "Bid deposit ≤ 2% of the estimated contract price; its validity equals the bid validity period; "
        "for must-tender projects a domestic bidder pays from its basic bank account",
        "投标保证金不得超过招标项目估算价的2%，有效期与投标有效期一致；"
        "依法必须招标项目的境内投标人应当从其基本账户转出",
        "TLR art. 26",
    ),
    Rule(
        "C-07",
        "construction",
        "Bid withdrawn before the deadline: deposit refunded within 5 days of the written withdrawal; "
        "withdrawn after the deadline: the deposit may be forfeited",
        "投标截止前书面撤回投标文件的，应当自收到撤回通知之日起5日内退还投标保证金；"
        "投标截止后撤销投标文件的，可以不退还投标保证金",
        "TLR art. 35",
    ),
    Rule(
        "C-08",
        "construction",
        "Bids arriving after the deadline are refused; bids are opened in public at the deadline time",
        "逾期送达的投标文件应当拒收；开标应当在投标截止时间的同一时间公开进行",
        "TL art. 28, 34",
    ),
    Rule(
        "C-09",
        "construction",
        "Fewer than 3 bids: no opening, re-tender",
        "投标人少于3个的，不得开标，招标人应当重新招标",
        "TL art. 28, TLR art. 44",
    ),
    Rule(
        "C-10",
        "construction",
        "Evaluation committee: 5 or more members, odd number, technical and economic experts ≥ 2/3 of it",
        "评标委员会成员人数为5人以上单数，其中技术、经济等方面的专家不得少于成员总数的三分之二",
        "TL art. 37",
    ),
    Rule(
        "C-11",
        "construction",
        "Experts are drawn at random from the expert pool; anyone with an interest in a bidder must step "
        "aside",
        "评标专家从专家库中随机抽取确定；与投标人有利害关系的人员应当回避",
        "TL art. 37, TLR art. 46",
    ),
    Rule(
        "C-12",
        "construction",
        "Bids are treated as collusion when: prepared by the same unit or person; handled by the same "
        "contact; abnormally identical; prices in a regular pattern; documents mixed up with each "
        "other's; deposits paid from the same account",
        "有下列情形之一的，视为投标人相互串通投标：投标文件由同一单位或者个人编制；"
        "委托同一单位或者个人办理投标事宜；投标文件异常一致；投标报价呈规律性差异；投标文件相互混装；"
        "投标保证金从同一单位或者个人的账户转出",
        "TLR art. 40",
    ),
    Rule(
        "C-13",
        "construction",
        "Committee recommends 1 to 3 ranked candidates",
        "评标委员会推荐的中标候选人应当不超过3个，并标明排序",
        "TLR art. 53",
    ),
    Rule(
        "C-14",
        "construction",
        "Candidates published within 3 days of receiving the evaluation report, for ≥ 3 days; objections "
        "during publicity answered within 3 days",
        "招标人应当自收到评标报告之日起3日内公示中标候选人，公示期不得少于3日；"
        "对公示的异议应当自收到之日起3日内作出答复",
        "TLR art. 54",
    ),
    Rule(
        "C-15",
        "construction",
        "Contract signed within 30 days of the award notice",
        "招标人和中标人应当自中标通知书发出之日起30日内订立书面合同",
        "TL art. 46",
    ),
    Rule(
        "C-16",
        "construction",
        "Deposits refunded to the winner and the others ≤ 5 days after the contract is signed, with "
        "interest at the bank's rate for the same period",
        "招标人最迟应当在书面合同签订后5日内向中标人和未中标的投标人退还投标保证金及银行同期存款利息",
        "TLR art. 57",
    ),
    Rule(
        "C-17",
        "construction",
        "Performance bond ≤ 10% of the contract price",
        "履约保证金不得超过中标合同金额的10%",
        "TLR art. 58",
    ),
    # Government procurement (政府采购)
    Rule(
        "P-01",
        "procurement",
        "Open tender: from tender documents issued to bid deadline ≥ 20 days",
        "公开招标的，自招标文件开始发出之日起至投标人提交投标文件截止之日止，不得少于20日",
        "GPL art. 35",
    ),
    Rule(
        "P-02",
        "procurement",
        "Tender documents offered ≥ 5 working days",
        "招标文件的提供期限不得少于5个工作日",
        "MOF 87 art. 24 (check)",
    ),
    Rule(
        "P-03",
        "procurement",
        "Clarification/amendment affecting bids ≥ 15 days before the deadline, else the deadline moves",
        "澄清或者修改的内容可能影响投标文件编制的，应当在投标截止时间至少15日前发出；"
        "不足15日的，应当顺延投标截止时间",
        "GPR art. 31, MOF 87 art. 27",
    ),
    Rule(
        "P-04",
        "procurement",
        "Bid deposit ≤ 2% of the procurement budget",
        "投标保证金不得超过采购项目预算金额的2%",
        "GPR art. 33",
    ),
    Rule(
        "P-05",
        "procurement",
        "Deposits: losing bidders refunded ≤ 5 working days after the award notice; the winner ≤ 5 "
        "working days after contract signing; a bidder that withdraws before the deadline ≤ 5 working "
        "days after its notice; late refunds carry a charge at the central bank's benchmark loan rate + "
        "20%",
        "未中标人的投标保证金在中标通知书发出后5个工作日内退还；中标人的在合同签订后5个工作日内退还；"
        "投标截止前撤回投标的，在收到撤回通知后5个工作日内退还；"
        "逾期退还的，按中国人民银行同期贷款基准利率上浮20%支付超期资金占用费",
        "MOF 87 art. 38 (check)",
    ),
    Rule(
        "P-06",
        "procurement",
        "Fewer than 3 bidders at the deadline: no opening",
        "投标截止时提交投标文件的投标人不足3家的，不得开标",
        "MOF 87 (check article)",
    ),
    Rule(
        "P-07",
        "procurement",
        "Evaluation committee ≥ 5 members, odd; budget ≥ 10,000,000 yuan or complex: ≥ 7; experts ≥ 2/3",
        "评标委员会成员为5人以上单数；采购预算金额在1000万元以上或技术复杂的，为7人以上单数；"
        "评审专家不得少于成员总数的三分之二",
        "GPR art. 39, MOF 87 art. 47 (check)",
    ),
    Rule(
        "P-08",
        "procurement",
        "Result announced within 2 working days of the supplier being determined; publicity 1 working day",
        "自中标、成交供应商确定之日起2个工作日内公告采购结果，公告期限为1个工作日",
        "MOF 87 art. 69 (check)",
    ),
    Rule(
        "P-09",
        "procurement",
        "Contract within 30 days of the award notice",
        "自中标、成交通知书发出之日起30日内签订政府采购合同",
        "GPL art. 46",
    ),
    Rule(
        "P-10",
        "procurement",
        "Competitive negotiation / request for quotation: ≥ 3 working days from documents issued to "
        "responses; ≥ 3 suppliers",
        "竞争性谈判、询价：从谈判文件或询价通知书发出之日起至供应商提交首次响应文件截止之日止不得少于3个工作日；"
        "供应商不得少于3家",
        "MOF 74 (check)",
    ),
    Rule(
        "P-11",
        "procurement",
        "Competitive consultation: ≥ 10 days from documents issued to responses; clarifications ≥ 5 days "
        "before",
        "竞争性磋商：从磋商文件发出之日起至供应商提交首次响应文件截止之日止不得少于10日；"
        "澄清或者修改应当在截止时间至少5日前发出",
        "MOF 214 art. 10 (check)",
    ),
    Rule(
        "P-12",
        "procurement",
        "Single source: publicity ≥ 5 working days before it may proceed",
        "采用单一来源采购方式的，应当在采购前公示，公示期不得少于5个工作日",
        "GPR art. 38",
    ),
    Rule(
        "P-13",
        "procurement",
        "Challenges (质疑) within 7 working days of knowing; answered within 7 working days",
        "供应商应当在知道或者应知其权益受到损害之日起7个工作日内提出质疑；"
        "采购人或代理机构应当在收到质疑后7个工作日内答复",
        "GPL art. 52, 53",
    ),
    # Land use-right transfer (国有建设用地使用权出让)
    Rule(
        "L-01",
        "land",
        "Transfer announcement ≥ 20 days before the tender, auction or listing starts",
        "出让人应当至少在投标、拍卖或者挂牌开始日前20日发布出让公告",
        "MLR 39 art. 10",
    ),
    Rule(
        "L-02",
        "land",
        "Listing period ≥ 10 working days",
        "挂牌时间不得少于10个工作日",
        "MLR 39 art. 19",
    ),
    Rule(
        "L-03",
        "land",
        "End of listing: when two or more bidders want to keep bidding, an on-the-spot (online) auction "
        "decides; otherwise the highest offer wins if it meets the reserve; no offer or below reserve: "
        "the listing fails",
        "挂牌期满，两个以上竞买人要求继续竞价的，进行现场（网上）竞价；否则报价最高者在不低于底价时成交；"
        "无人报价或报价低于底价的，挂牌不成交",
        "MLR 39 art. 19-20 (check)",
    ),
    Rule(
        "L-04",
        "land",
        "Auction with a reserve: the bid must reach the reserve or the auction fails",
        "设有底价的拍卖，最高应价未达到底价的，拍卖不成交",
        "MLR 39 (check)",
    ),
    Rule(
        "L-05",
        "land",
        "The winner's deposit becomes part of the land price; the others' deposits are refunded ≤ 5 "
        "working days after the sale ends, without interest",
        "竞得人的保证金抵作土地出让价款；其他竞买人的保证金在出让活动结束后5个工作日内退还，不计利息",
        "MLR 39 art. 21, 23 (check)",
    ),
    Rule(
        "L-06",
        "land",
        "Result published within 10 working days of the sale",
        "出让活动结束后10个工作日内公布出让结果",
        "MLR 39 (check)",
    ),
    # Property-rights transfer (产权交易)
    Rule(
        "R-01",
        "property",
        "Disclosure (正式披露) ≥ 20 working days; a transfer of control may be pre-disclosed ≥ 20 working "
        "days",
        "转让项目正式披露信息的时间不得少于20个工作日；"
        "涉及控制权转让的，可进行信息预披露，时间不得少于20个工作日",
        "SASAC 32 art. 13",
    ),
    Rule(
        "R-02",
        "property",
        "Listing price is based on the appraised value; a price below 90% of it needs the approving "
        "body's consent before continuing",
        "转让底价以经核准或备案的评估结果为基础确定；"
        "转让价格低于评估结果90%的，应当经转让行为批准单位书面同意后方可继续进行",
        "SASAC 32 art. 12, 18",
    ),
    Rule(
        "R-03",
        "property",
        "Two or more qualified transferees at the end of disclosure: auction, tender, online bidding or "
        "other competitive method; one: agreed price, not below the listing price",
        "信息披露期满产生两个以上符合条件的意向受让方的，采取拍卖、招投标、网络竞价等竞价方式；"
        "只有一个的，以不低于挂牌价格的价格协议成交",
        "SASAC 32 art. 22 (check)",
    ),
    Rule(
        "R-04",
        "property",
        "Price paid within 5 working days of the contract taking effect; by instalments only with ≥ 30% "
        "first payment, the rest within 1 year, secured",
        "交易价款应当自合同生效之日起5个工作日内一次付清；"
        "确需分期付款的，首期付款不得低于总价款的30%，其余款项应当提供担保并在1年内付清",
        "SASAC 32 art. 28",
    ),
    Rule(
        "R-05",
        "property",
        "Capital increase (增资) disclosure ≥ 40 working days",
        "企业增资通过产权交易机构网站对外披露信息的时间不得少于40个工作日",
        "SASAC 32 art. 41",
    ),
    # Electronic trading, platform, experts (all sectors)
    Rule(
        "E-01",
        "all",
        "Bid documents are encrypted; no one may decrypt or read them before the opening",
        "投标文件应当加密；开标前任何人不得解密或者提取投标文件",
        "ETB art. 26, 27 (check)",
    ),
    Rule(
        "E-02",
        "all",
        "On receiving a bid, the platform immediately sends the bidder a confirmation receipt and keeps "
        "the bid safe",
        "交易平台收到投标文件后，应当即时向投标人发出确认回执，并妥善保存投标文件",
        "ETB art. 27 (check)",
    ),
    Rule(
        "E-03",
        "all",
        "After the deadline the platform refuses bids; before it a bidder may modify or withdraw",
        "投标截止后交易平台拒收投标文件；投标截止前投标人可以补充、修改或者撤回投标文件",
        "ETB (check)",
    ),
    Rule(
        "E-04",
        "all",
        "The opening is held online at the deadline; every bidder may attend online and see the opening "
        "record",
        "电子开标应当在投标截止时间于线上公开进行，所有投标人均可在线参加并查看开标记录",
        "ETB art. 29",
    ),
    Rule(
        "E-05",
        "all",
        "A bid that fails to decrypt because of the bidder is rejected; failure caused by the platform "
        "is handled as the tender documents say, with remedies",
        "因投标人原因造成投标文件未解密的，视为撤销投标文件；"
        "因交易平台原因造成未解密的，按招标文件规定处理并采取补救措施",
        "ETB art. 31 (check)",
    ),
    Rule(
        "E-06",
        "all",
        "Experts are drawn at random by the electronic system; the list stays confidential until the "
        "evaluation ends",
        "评标专家由电子系统随机抽取；专家名单在评标结束前保密",
        "PRTP, EXP (check)",
    ),
    Rule(
        "E-07",
        "all",
        "Recusal: an expert steps aside if a close relative of a bidder's leadership, staff of the "
        "project's competent or supervising department, with an economic interest in a bidder, or "
        "previously penalised for misconduct",
        "评标专家为投标人主要负责人的近亲属、项目主管部门或者行政监督部门的人员、与投标人有经济利益关系，或者曾因违法行为受过处罚的，应当回避",
        "EXP art. 12 (check)",
    ),
    Rule(
        "E-08",
        "all",
        "Trading records and files are archived and kept for at least 20 years (check)",
        "交易过程记录和文件应当归档，保存期不少于20年（待核实）",
        "PRTP (check)",
    ),
    Rule(
        "E-09",
        "all",
        "Deposits and fees pass through the center's single account; the center collects and refunds on "
        "behalf",
        "保证金和交易服务费统一通过交易中心专用账户收取，由交易中心代收代退",
        "seed: 全縣行政審批推進方案 (四) 6",
    ),
    Rule(
        "E-10",
        "all",
        "All trades of 500,000 yuan and above by townships and streets must enter the center",
        "乡镇（街道）50万元以上的交易项目一律进入交易中心交易",
        "seed: 全縣行政審批推進方案 (四) 5",
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _ROWS}


def rule(id: str) -> Rule:
    """The rule with this id; `rule.not_found` (404) for an unknown id."""
    try:
        return RULES[id]
    except KeyError:
        raise not_found("rule", "规则", id) from None
