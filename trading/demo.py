"""A small, realistic demo center: organisations, a user for every role, projects of all four
sectors at different stages, and published announcements in Chinese.

The same named people serve the tests (tests/personas.py), so a test reads "the clerk approves"
rather than building users inline.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements import service as announcements
from trading.announcements.schemas import AnnouncementIn, Kind
from trading.audit.service import Actor
from trading.auth.identity import Identity
from trading.auth.models import User
from trading.auth.passwords import hash_password_sync
from trading.auth.service import create_user, identity_of
from trading.calendar.periods import Unit, period
from trading.calendar.service import WorkingCalendar, load_calendar_from
from trading.clock import Clock
from trading.db.session import Database
from trading.money import format_yuan
from trading.organisations.models import Organisation
from trading.organisations.schemas import OrganisationIn
from trading.organisations.service import register_organisation
from trading.organisations.uscc import check_character
from trading.projects import service as projects
from trading.projects.schemas import ProjectIn, SectionIn

DEMO_ACTOR = Actor(id=None, name="demo")


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    uscc17: str
    name: str
    capacities: tuple[str, ...]
    region: str = "江宁区"
    legal_representative: str = "张伟"

    @property
    def uscc(self) -> str:
        return self.uscc17 + check_character(self.uscc17)

    @property
    def basic_account(self) -> str:
        """A stable, made-up 19-digit bank account number."""
        return f"32001{zlib.crc32(self.key.encode()):010d}0001"


@dataclass(frozen=True)
class PersonSpec:
    username: str
    display_name: str
    roles: tuple[str, ...]
    organisation: str | None = None
    sectors: tuple[str, ...] = ()

    @property
    def password(self) -> str:
        return f"{self.username}-demo-2026"


ORGANISATIONS = (
    OrganisationSpec("city_invest", "91320115MA1N0CT0Q", "江宁城市建设投资集团有限公司", ("principal",)),
    OrganisationSpec("hospital", "12320115466000123", "江宁区人民医院", ("principal",)),
    OrganisationSpec("land_bureau", "11320115014000456", "江宁区规划和自然资源局", ("principal",)),
    OrganisationSpec("state_holding", "91320115MA1P2PT8L", "江宁国有资产经营控股有限公司", ("principal",)),
    OrganisationSpec(
        "agency", "91320100MA1Q3AG5K", "金陵工程咨询招标代理有限公司", ("agency",), "玄武区", "李娜"
    ),
    OrganisationSpec(
        "builder_a", "91320000134000789", "江苏华建建设集团有限公司", ("bidder",), "建邺区", "王强"
    ),
    OrganisationSpec("builder_b", "91320100134111222", "南京宁安建工有限公司", ("bidder",), "鼓楼区", "刘洋"),
    OrganisationSpec(
        "builder_c", "91320200MA1R4BC6M", "无锡锡城路桥工程有限公司", ("bidder",), "梁溪区", "陈静"
    ),
    OrganisationSpec("developer", "91320100MA1T5DW7N", "金陵置业发展有限公司", ("bidder",), "秦淮区", "杨帆"),
)

PEOPLE = (
    PersonSpec("admin", "系统管理员", ("admin",)),
    PersonSpec("clerk", "王敏（交易中心）", ("staff",)),
    # A second member of staff: four eyes (an announcement, a payment file) need two people.
    PersonSpec("clerk2", "李强（交易中心）", ("staff",)),
    PersonSpec("auditor", "赵审计（审计局）", ("auditor",)),
    PersonSpec("zj_supervisor", "周监督（住建局）", ("supervisor",), sectors=("construction",)),
    PersonSpec("cz_supervisor", "吴监督（财政局）", ("supervisor",), sectors=("procurement",)),
    PersonSpec("zr_supervisor", "郑监督（自然资源局）", ("supervisor",), sectors=("land",)),
    PersonSpec("gz_supervisor", "孙监督（国资委）", ("supervisor",), sectors=("property",)),
    PersonSpec("principal", "钱经理（城投集团）", ("principal",), "city_invest"),
    PersonSpec("hospital", "冯主任（人民医院）", ("principal",), "hospital"),
    PersonSpec("land_bureau", "陈科长（自然资源局）", ("principal",), "land_bureau"),
    PersonSpec("state_holding", "褚经理（国资控股）", ("principal",), "state_holding"),
    PersonSpec("agency", "卫代理（金陵招标）", ("agency",), "agency"),
    PersonSpec("bidder_a", "蒋投标（华建集团）", ("bidder",), "builder_a"),
    PersonSpec("bidder_b", "沈投标（宁安建工）", ("bidder",), "builder_b"),
    PersonSpec("bidder_c", "韩投标（锡城路桥）", ("bidder",), "builder_c"),
    PersonSpec("developer", "杨投标（金陵置业）", ("bidder",), "developer"),
    PersonSpec("expert", "朱专家（造价）", ("expert",)),
)


@dataclass
class Cast:
    """The people of a demo or test center, by name."""

    organisations: dict[str, Organisation]
    users: dict[str, User]

    def identity(self, username: str) -> Identity:
        return identity_of(self.users[username])


class DemoAlreadyLoaded(Exception):
    pass


async def create_cast(
    session: AsyncSession, at: dt.datetime, password_hashes: dict[str, str] | None = None
) -> Cast:
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        organisations[spec.key] = await register_organisation(
            session,
            OrganisationIn(
                uscc=spec.uscc,
                name=spec.name,
                capacities=list(spec.capacities),
                region=spec.region,
                legal_representative=spec.legal_representative,
                contact_phone="025-52100000",
                basic_account_name=spec.name if "bidder" in spec.capacities else None,
                basic_account_number=spec.basic_account if "bidder" in spec.capacities else None,
                basic_account_bank="中国建设银行南京江宁支行" if "bidder" in spec.capacities else None,
            ),
            actor=DEMO_ACTOR,
            at=at,
        )
    users: dict[str, User] = {}
    for person in PEOPLE:
        users[person.username] = await create_user(
            session,
            username=person.username,
            password=None,
            password_hash=(password_hashes or {}).get(person.username) or hash_password_sync(person.password),
            display_name=person.display_name,
            roles=list(person.roles),
            sectors=list(person.sectors),
            organisation_id=organisations[person.organisation].id if person.organisation else None,
            actor=DEMO_ACTOR,
            at=at,
        )
    return Cast(organisations, users)


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


@dataclass(frozen=True)
class _Schedule:
    """Dates for the demo, relative to its clock and never shorter than the law allows on the
    calendar of that day, provisional years included: the demo works on any date."""

    calendar: WorkingCalendar
    zone: ZoneInfo

    def not_before(self, event: dt.datetime, length: int, unit: Unit, wanted: dt.datetime) -> dt.datetime:
        """`wanted`, or the last day of the period `event` starts (at `wanted`'s time of day)
        when that is later."""
        minimum = period(self.calendar, event.astimezone(self.zone).date(), length, unit).last_day
        local = wanted.astimezone(self.zone)
        if local.date() >= minimum:
            return wanted
        return dt.datetime.combine(minimum, local.time(), tzinfo=self.zone)


async def _publish(
    session: AsyncSession, cast: Cast, data: AnnouncementIn, author: str, at: dt.datetime, zone: dt.tzinfo
) -> None:
    """Draft, submit, approve and publish, as the author and the clerk would."""
    clerk = cast.identity("clerk")
    author_identity = cast.identity(author)
    draft = await announcements.create_draft(session, data, author=author_identity, at=at)
    await announcements.review(session, draft, "submit", actor=author_identity, at=at, zone=zone)  # type: ignore[arg-type]
    await announcements.review(session, draft, "approve", actor=clerk, at=at, zone=zone, note="同意发布")  # type: ignore[arg-type]
    await announcements.review(session, draft, "publish", actor=clerk, at=at, zone=zone)  # type: ignore[arg-type]


async def load_demo(db: Database, clock: Clock) -> list[tuple[str, str, str]]:
    """Load the demo center into an empty database; returns (username, password, role) rows."""
    zone = ZoneInfo("Asia/Shanghai")
    now = clock.now()
    # Working hours on the center's calendar: deadlines at 9:30 Shanghai time.
    today = now.astimezone(zone).replace(hour=9, minute=30, second=0, microsecond=0)

    async with db.session() as session:
        if await session.scalar(select(func.count()).select_from(Organisation)):
            raise DemoAlreadyLoaded
        cast = await create_cast(session, now - _days(60))
        org = cast.organisations
        dates = _Schedule(await load_calendar_from(session, today.year - 1), zone)

        # Construction: open tender, registration open, deadline about 12 days ahead (C-02, C-03).
        issued = today - _days(10)
        deadline = dates.not_before(issued, 20, Unit.days, today + _days(12))
        sale_end = dates.not_before(issued, 5, Unit.days, today - _days(3))

        school = await projects.register_project(
            session,
            ProjectIn(
                name="江宁区城南中学教学楼新建工程",
                sector="construction",
                region="江宁区",
                description="新建教学楼一栋，建筑面积约12,000平方米，框架结构，地上五层。",
                principal_id=org["city_invest"].id,
                agency_id=org["agency"].id,
                sections=[
                    SectionIn(
                        name="施工总承包",
                        procedure="open_tender",
                        contract_kind="works",
                        budget=format_yuan(4_860_000_000),
                        deposit=format_yuan(80_000_000),
                        bid_validity_days=90,
                        documents_issued_at=issued,
                        documents_sale_start=issued,
                        documents_sale_end=sale_end,
                        registration_start=issued,
                        registration_end=deadline - _days(1),
                        bid_deadline=deadline,
                    ),
                    SectionIn(
                        name="工程监理",
                        procedure="open_tender",
                        contract_kind="services",
                        budget=format_yuan(145_000_000),
                        deposit=format_yuan(2_000_000),
                        bid_validity_days=90,
                        documents_issued_at=issued,
                        documents_sale_start=issued,
                        documents_sale_end=sale_end,
                        registration_start=issued,
                        registration_end=deadline - _days(1),
                        bid_deadline=deadline,
                    ),
                ],
            ),
            actor=cast.identity("agency"),
            at=today - _days(12),
            zone=zone,
        )
        await _publish(
            session,
            cast,
            AnnouncementIn(
                project_id=school.id,
                kind=Kind.call,
                title="江宁区城南中学教学楼新建工程施工总承包及监理招标公告",
                body="一、招标条件：本项目已由江宁区发展和改革委员会批准建设，资金来自财政资金，已落实。\n"
                "二、项目概况与招标范围：新建教学楼一栋，划分为施工总承包、工程监理两个标段。\n"
                "三、投标人资格要求：施工标段须具备建筑工程施工总承包二级及以上资质。\n"
                "四、投标文件递交：投标文件须通过交易平台加密递交，逾期送达的不予受理。",
            ),
            "agency",
            today - _days(10),
            zone,
        )

        # Procurement: medical equipment, bidding closed two days ago, waiting for the opening. Issued
        # 40 days back so that 20 days (P-01), moved past any holiday, always end before the deadline.
        issued = today - _days(40)
        sale_end = dates.not_before(issued, 5, Unit.working_days, issued + _days(8))
        hospital = await projects.register_project(
            session,
            ProjectIn(
                name="江宁区人民医院医学影像设备采购项目",
                sector="procurement",
                region="江宁区",
                description="采购64排CT一台、数字化X射线摄影系统两台。",
                principal_id=org["hospital"].id,
                agency_id=org["agency"].id,
                sections=[
                    SectionIn(
                        name="64排CT",
                        procedure="open_tender",
                        budget=format_yuan(680_000_000),
                        deposit=format_yuan(10_000_000),
                        bid_validity_days=90,
                        documents_issued_at=issued,
                        documents_sale_start=issued,
                        documents_sale_end=sale_end,
                        registration_start=issued,
                        bid_deadline=today - _days(2),
                    )
                ],
            ),
            actor=cast.identity("agency"),
            at=issued - _days(2),
            zone=zone,
        )
        await _publish(
            session,
            cast,
            AnnouncementIn(
                project_id=hospital.id,
                kind=Kind.call,
                title="江宁区人民医院医学影像设备采购项目公开招标公告",
                body="项目编号：见附件。采购需求：64排CT一台，预算金额680万元。供应商须具有医疗器械经营许可证。"
                "获取招标文件时间：公告发布之日起五个工作日。",
            ),
            "agency",
            issued,
            zone,
        )

        # Land: listing of a residential parcel; announced 35 days ago (L-01), listing running (L-02).
        announced = today - _days(35)
        listing_start = dates.not_before(announced, 20, Unit.days, today - _days(10))
        listing_end = dates.not_before(listing_start, 10, Unit.working_days, today + _days(14))
        parcel = await projects.register_project(
            session,
            ProjectIn(
                name="江宁区东山街道R2-05地块国有建设用地使用权挂牌出让",
                sector="land",
                region="江宁区",
                description="出让面积32,560平方米，用途为二类居住用地，容积率不大于2.2，出让年限70年。",
                principal_id=org["land_bureau"].id,
                sections=[
                    SectionIn(
                        name="R2-05地块",
                        procedure="land_listing",
                        starting_price=format_yuan(96_000_000_000),
                        reserve_price=format_yuan(98_000_000_000),
                        deposit=format_yuan(19_200_000_000),
                        registration_start=listing_start,
                        listing_start=listing_start,
                        listing_end=listing_end,
                        bid_deadline=listing_end,
                    )
                ],
            ),
            actor=cast.identity("land_bureau"),
            at=announced - _days(2),
            zone=zone,
        )
        await _publish(
            session,
            cast,
            AnnouncementIn(
                project_id=parcel.id,
                kind=Kind.call,
                title="江宁区东山街道R2-05地块国有建设用地使用权挂牌出让公告",
                body="经江宁区人民政府批准，决定以挂牌方式出让一幅国有建设用地使用权。竞买保证金为起始价的20%。"
                "挂牌时间不少于十个工作日，挂牌期满有两个以上竞买人要求报价的，进行网上现场竞价。",
            ),
            "land_bureau",
            announced,
            zone,
        )

        # Property: 40 % of a state-held company, drafted and waiting for the clerk's review; a
        # disclosure of at least 20 working days.
        disclosure_start = today + _days(2)
        disclosure_end = dates.not_before(disclosure_start, 20, Unit.working_days, today + _days(35))
        shares = await projects.register_project(
            session,
            ProjectIn(
                name="江宁国资控股持有的宁城物业管理有限公司40%股权转让",
                sector="property",
                region="江宁区",
                description="转让标的为宁城物业管理有限公司40%股权，评估值以备案的资产评估报告为准。",
                principal_id=org["state_holding"].id,
                sections=[
                    SectionIn(
                        name="40%股权",
                        procedure="listed_transfer",
                        starting_price=format_yuan(1_250_000_000),
                        appraised_value=format_yuan(1_230_000_000),
                        deposit=format_yuan(120_000_000),
                        listing_start=disclosure_start,
                        listing_end=disclosure_end,
                        bid_deadline=disclosure_end,
                    )
                ],
            ),
            actor=cast.identity("state_holding"),
            at=today - _days(1),
            zone=zone,
        )
        draft = await announcements.create_draft(
            session,
            AnnouncementIn(
                project_id=shares.id,
                kind=Kind.call,
                title="宁城物业管理有限公司40%股权转让公告",
                body="转让方：江宁国有资产经营控股有限公司。信息披露期为自公告之日起二十个工作日。"
                "意向受让方须在披露期内提交受让申请并交纳交易保证金。",
            ),
            author=cast.identity("state_holding"),
            at=today - _days(1),
        )
        await announcements.review(
            session, draft, "submit", actor=cast.identity("state_holding"), at=today - _days(1), zone=zone
        )
        await _feature_demos(session, cast, today, zone)
        await session.commit()
    return [(p.username, p.password, ",".join(p.roles)) for p in PEOPLE]


async def _feature_demos(session: AsyncSession, cast: Cast, today: dt.datetime, zone: dt.tzinfo) -> None:
    """What the feature packages add to the demo (their optional `load_demo` hook), found the way
    the composition root finds them, so the core imports none of them."""
    from trading.app import feature_packages

    for package in feature_packages():
        hook = getattr(package, "load_demo", None)
        if hook is not None:
            await hook(session, cast, today, zone)
