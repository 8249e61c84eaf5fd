"""Every rule of shared domain/RULES.md as data, with a Chinese statement.

The ids are stable: error codes' documentation, `DomainError.rule` and the API cite them.
`text_en` and `source` are copied exactly as RULES.md gives them, "(check)" marks included: those
articles still need confirming against the official text before a message quotes the article
number. `text_zh` follows the statute's own words where shared domain/law/ holds it; where that
text disagrees with the RULES.md row, the statute wins and docs/rules.md names the difference.
tests/trading/test_rules_catalogue.py keeps this list, `GET /api/rules` and docs/rules.md in step
with RULES.md.
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
    # Periods (all sectors)
    Rule(
        "D-01",
        "all",
        "A period counted in days starts on the day after the event (the event's own day is not counted) "
        'and ends at 24:00 of its last day; "≥ 20 days from A to B" therefore means B\'s date is at least '
        "A's date + 20 (documents issued on 1 December: deadline on 21 December or later; \"on sale ≥ 5 "
        "days\" from a Monday: until Saturday or later). A period in hours runs from the event's time",
        "按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算；"
        "期间的最后一日的截止时间为二十四时。按照小时计算期间的，自法律规定或者当事人约定的时间开始计算",
        "Civil Code (民法典) art. 200–201, 203 ¶2",
    ),
    Rule(
        "D-02",
        "all",
        "When the last day of a period falls on an official holiday, the period ends on the day after "
        "the holiday ends",
        "期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日",
        "Civil Code art. 203 ¶1",
    ),
    Rule(
        "D-03",
        "all",
        "A working-day period that reaches into a year whose official holiday notice is not loaded is "
        "computed from the statutory holidays of that year (全国年节及纪念日放假办法: New Year, Spring "
        "Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn, National Day, on their computed dates) "
        "with no make-up working days, which can only make a minimum period longer, never shorter; every "
        "such date is marked provisional and is recomputed when the notice is loaded. Work is never "
        "refused only because a notice is missing",
        "期间延伸至尚未载入国务院节假日安排通知的年度的，"
        "按《全国年节及纪念日放假办法》规定的当年法定节假日（元旦、春节、清明节、劳动节、端午节、中秋节、"
        "国庆节）推算，不计调休上班日，只会使最短期间更长、不会更短；如此推算的日期均标注为暂定，"
        "载入通知后重新计算；不得仅因通知未载入而拒绝办理业务",
        "platform rule (no law lets a center stop trading for want of next year's notice)",
    ),
    # Construction tendering (construction)
    Rule(
        "C-01",
        "construction",
        "Tender must go through the center (法定必须招标) when a contract reaches: works ≥ 4,000,000 "
        "yuan; goods ≥ 2,000,000; services ≥ 1,000,000",
        "单项合同估算价达到以下标准的，必须招标并进场交易：施工400万元人民币以上；重要设备、"
        "材料等货物采购200万元人民币以上；勘察、设计、监理等服务采购100万元人民币以上",
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
        "澄清或者修改的内容可能影响投标文件编制的，应当在投标截止时间至少15日前发出；不足15日的，"
        "应当顺延投标截止时间",
        "TL art. 23, TLR art. 21",
    ),
    Rule(
        "C-05",
        "construction",
        "Objections to the tender documents: ≥ 10 days before the bid deadline; the tenderee answers "
        "within 3 days and pauses meanwhile",
        "对招标文件有异议的，应当在投标截止时间10日前提出；招标人应当自收到异议之日起3日内作出答复，"
        "作出答复前暂停招标投标活动",
        "TLR art. 22",
    ),
    Rule(
        "C-06",
        "construction",
        "Bid deposit ≤ 2% of the estimated contract price; its validity equals the bid validity period. "
        "Only for must-tender projects: a domestic bidder paying in cash or by cheque pays from its "
        "basic bank account (other payers, other sectors and natural persons are not bound by this)",
        "投标保证金不得超过招标项目估算价的2%，有效期应当与投标有效期一致；"
        "依法必须进行招标的项目的境内投标单位，"
        "以现金或者支票形式提交的投标保证金应当从其基本账户转出（其他付款方式、其他行业及自然人不受此限）",
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
        "unit or person; naming the same project manager or key member; abnormally identical, or prices "
        "differing in a regular pattern; documents mixed up with each other's; deposits paid from the "
        "same unit's or person's account",
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
        "C-18",
        "construction",
        "Different units whose legal representative is the same person, or that control or manage one "
        "another, may not bid on the same section",
        "单位负责人为同一人或者存在控股、管理关系的不同单位，"
        "不得参加同一标段投标或者未划分标段的同一招标项目投标",
        "TLR art. 34 ¶2",
    ),
    Rule(
        "C-19",
        "construction",
        "The tenderee reports on the tendering to the oversight department within 15 days of deciding "
        "the winner",
        "依法必须进行招标的项目，招标人应当自确定中标人之日起十五日内，"
        "向有关行政监督部门提交招标投标情况的书面报告",
        "TL art. 47",
    ),
    Rule(
        "C-20",
        "construction",
        "Projects where state funds hold control: the first-ranked candidate is the winner, unless it "
        "gives up, cannot perform, or is found to have broken the law",
        "国有资金占控股或者主导地位的依法必须进行招标的项目，招标人应当确定排名第一的中标候选人为中标人；"
        "排名第一的中标候选人放弃中标、因不可抗力不能履行合同、不按照招标文件要求提交履约保证金，"
        "或者被查实存在影响中标结果的违法行为等情形，不符合中标条件的，"
        "招标人可以按照评标委员会提出的中标候选人名单排序依次确定其他中标候选人为中标人，也可以重新招标",
        "TLR art. 55",
    ),
    Rule(
        "C-21",
        "construction",
        "Complaints to the oversight department within 10 days of knowing; for matters of C-05, C-09 and "
        "C-14 an objection to the tenderee must come first and its answer time is not counted",
        "投标人或者其他利害关系人可以自知道或者应当知道之日起10日内向有关行政监督部门投诉；"
        "就资格预审文件和招标文件（第二十二条）、开标（第四十四条）、评标结果（第五十四条）事项投诉的，"
        "应当先向招标人提出异议，异议答复期间不计算在内",
        "TLR art. 60",
    ),
    Rule(
        "C-17",
        "construction",
        "Performance bond ≤ 10% of the contract price",
        "履约保证金不得超过中标合同金额的10%",
        "TLR art. 58",
    ),
    # Government procurement (procurement)
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
        "Tender documents offered ≥ 5 working days from the day they are first issued",
        "招标文件的提供期限自招标文件开始发出之日起不得少于5个工作日",
        "GPR art. 31 ¶1 (MOF 87 art. 18, check)",
    ),
    Rule(
        "P-03",
        "procurement",
        "Clarification/amendment affecting bids ≥ 15 days before the deadline, else the deadline moves",
        "澄清或者修改的内容可能影响投标文件编制的，应当在投标截止时间至少15日前发出；不足15日的，"
        "应当顺延投标截止时间",
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
        "Deposits are paid in non-cash forms (cheque, draft, promissory note or a guarantee). Losing "
        "bidders refunded ≤ 5 working days after the award notice; the winner ≤ 5 working days after "
        "contract signing; a bidder that withdraws before the deadline ≤ 5 working days after its "
        "notice; late refunds carry a charge at the central bank's benchmark loan rate + 20%",
        "投标保证金应当以支票、汇票、本票或者金融机构、担保机构出具的保函等非现金形式提交；"
        "采购人或者采购代理机构应当自中标通知书发出之日起5个工作日内退还未中标供应商的投标保证金，"
        "自政府采购合同签订之日起5个工作日内退还中标供应商的投标保证金；投标截止前撤回投标的，"
        "自收到撤回通知之日起5个工作日内退还；逾期退还的，"
        "按中国人民银行同期贷款基准利率上浮20%支付超期资金占用费",
        "GPR art. 33; MOF 87 art. 38 (check)",
    ),
    Rule(
        "P-06",
        "procurement",
        "Fewer than 3 qualified bidders at the deadline: no opening; the tender fails (废标)",
        "在招标采购中，符合专业条件的供应商或者对招标文件作实质响应的供应商不足三家的，应予废标；"
        "投标截止时提交投标文件的投标人不足3家的，不得开标",
        "GPL art. 36; MOF 87 (check article)",
    ),
    Rule(
        "P-07",
        "procurement",
        "Evaluation committee ≥ 5 members, odd; ≥ 7 when the budget ≥ 10,000,000 yuan, the technology is "
        "complex or the social impact is large; experts ≥ 2/3",
        "评标委员会由采购人代表和评审专家组成，成员人数应当为5人以上单数，"
        "其中评审专家不得少于成员总数的三分之二；采购预算金额在1000万元以上、"
        "技术复杂或者社会影响较大的项目，评标委员会成员人数应当为7人以上单数",
        "MOF 87 art. 47 (check)",
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
        "竞争性谈判、询价："
        "从谈判文件或询价通知书发出之日起至供应商提交首次响应文件截止之日止不得少于3个工作日；"
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
        "P-14",
        "procurement",
        "The evaluation report goes to the purchaser within 2 working days of the evaluation ending; the "
        "purchaser decides the supplier within 5 working days; the award notice and the result "
        "announcement within 2 working days of that decision",
        "采购代理机构应当自评审结束之日起2个工作日内将评审报告送交采购人；"
        "采购人应当自收到评审报告之日起5个工作日内确定中标或者成交供应商；自中标、"
        "成交供应商确定之日起2个工作日内发出中标、成交通知书并公告中标、成交结果",
        "GPR art. 43",
    ),
    Rule(
        "P-15",
        "procurement",
        "The procurement contract is published within 2 working days of signing",
        "采购人应当自政府采购合同签订之日起2个工作日内，"
        "将政府采购合同在省级以上人民政府财政部门指定的媒体上公告",
        "GPR art. 50",
    ),
    Rule(
        "P-16",
        "procurement",
        "Complaints (投诉) to the finance department within 15 working days after the challenge's answer "
        "period ends; it decides within 30 working days",
        "质疑供应商对答复不满意或者未在规定时间内得到答复的，"
        "可以在答复期满后十五个工作日内向同级政府采购监督管理部门投诉；"
        "监督管理部门应当在收到投诉后三十个工作日内作出处理决定",
        "GPL art. 55, 56",
    ),
    Rule(
        "P-13",
        "procurement",
        "Challenges (质疑) within 7 working days of knowing; answered within 7 working days",
        "供应商应当在知道或者应知其权益受到损害之日起7个工作日内提出质疑；"
        "采购人或代理机构应当在收到质疑后7个工作日内答复",
        "GPL art. 52, 53",
    ),
    # Land use-right transfer (land)
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
    # Property-rights transfer (property)
    Rule(
        "R-01",
        "property",
        "Formal disclosure (正式披露) ≥ 20 working days. A transfer that changes control must also be "
        "pre-disclosed (预披露) for ≥ 20 working days",
        "转让项目正式披露信息的时间不得少于20个工作日；涉及转让标的企业实际控制权的，应当进行信息预披露，"
        "时间不得少于20个工作日",
        "SASAC 32 art. 13",
    ),
    Rule(
        "R-02",
        "property",
        "The first formal disclosure's listing price may not be below the appraised value. If no buyer "
        "is found, a new disclosure may lower it; a price below 90% of the appraisal needs the approving "
        "body's written consent first, and the new disclosure again runs ≥ 20 working days",
        "首次正式信息披露的转让底价不得低于经核准或备案的转让标的评估结果；"
        "信息披露期满未征集到意向受让方的，可以降低转让底价后重新披露；新的转让底价低于评估结果90%时，"
        "应当经转让行为批准单位书面同意，重新披露时间不得少于20个工作日",
        "SASAC 32 art. 12, 17, 18 (check 17)",
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
        "交易价款应当自合同生效之日起5个工作日内一次付清；确需分期付款的，首期付款不得低于总价款的30%，"
        "其余款项应当提供担保并在1年内付清",
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
        "因投标人原因造成投标文件未解密的，视为撤销投标文件；因交易平台原因造成未解密的，"
        "按招标文件规定处理并采取补救措施",
        "ETB art. 31 (check)",
    ),
    Rule(
        "E-06",
        "all",
        "Experts are drawn at random by the electronic system; the committee list stays confidential "
        "until the award is decided",
        "评标专家由电子系统随机抽取确定；评标委员会成员的名单在中标结果确定前应当保密",
        "TL art. 37 ¶4; PRTP, EXP (check)",
    ),
    Rule(
        "E-07",
        "all",
        "Recusal: an expert steps aside if a close relative of a bidder's leadership, staff of the "
        "project's competent or supervising department, with an economic interest in a bidder, or "
        "previously penalised for misconduct",
        "评标专家为投标人主要负责人的近亲属、项目主管部门或者行政监督部门的人员、与投标人有经济利益关系，"
        "或者曾因在招标、评标以及其他与招标投标有关活动中从事违法行为而受过行政处罚或刑事处罚的，应当回避",
        "评标专家和评标专家库管理办法 (NDRC order 26 of 2024, in force 2025-01-01; replaces EXP — check "
        "the article)",
    ),
    Rule(
        "E-08",
        "all",
        "Trading records and files are archived: procurement files ≥ 15 years from the end of the "
        "procurement; construction and the other sectors as long as the center's archive rules say (20 "
        "years is common practice)",
        "交易过程记录和文件应当归档保存：政府采购文件自采购结束之日起至少保存十五年；"
        "工程建设等其他行业按交易中心档案管理规定保存（通常为20年）",
        "GPL art. 42; PRTP (check)",
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
