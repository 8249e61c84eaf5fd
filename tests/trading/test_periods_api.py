"""Periods as the Civil Code counts them (D-01, D-02), a year without its notice (D-03), and what
loading the notice does to open sections: over HTTP, as a client that knows only the API."""

import datetime as dt
from zoneinfo import ZoneInfo

from tests.conftest import START
from trading.calendar.periods import Unit, period
from trading.calendar.provisional import BRIDGE_SUFFIX, provisional_schedule
from trading.calendar.service import STATUTORY_HOLIDAYS, WorkingCalendar

ZONE = ZoneInfo("Asia/Shanghai")
FAR = 2040  # no holiday package will cover it for years: its days are always estimated


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> str:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZONE).isoformat()


def construction(people, *, issued: str, deadline: str, sale_end: str) -> dict:
    return {
        "name": "江宁区城南中学教学楼新建工程",
        "sector": "construction",
        "region": "江宁区",
        "description": "新建教学楼一栋",
        "principal_id": str(people.org("city_invest").id),
        "agency_id": str(people.org("agency").id),
        "sections": [
            {
                "name": "施工总承包",
                "procedure": "open_tender",
                "contract_kind": "works",
                "budget": "48600000.00",
                "deposit": "20000.00",
                "bid_validity_days": 90,
                "documents_issued_at": issued,
                "documents_sale_start": issued,
                "documents_sale_end": sale_end,
                "registration_start": issued,
                "bid_deadline": deadline,
            }
        ],
    }


async def test_documents_issued_on_1_december_need_a_deadline_on_21_december(client, people, clock):
    clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=ZONE))
    issued = local(2026, 12, 1)
    too_early = construction(people, issued=issued, deadline=local(2026, 12, 20), sale_end=local(2026, 12, 7))
    refused = await client.post("/api/projects/", json=too_early, headers=people.headers("agency"))
    assert refused.status_code == 422
    body = refused.json()
    assert (body["code"], body["rule"]["id"]) == ("deadline.too_short", "C-02")
    assert body["details"]["earliest_deadline"] == "2026-12-21"
    on_time = construction(people, issued=issued, deadline=local(2026, 12, 21), sale_end=local(2026, 12, 7))
    accepted = await client.post("/api/projects/", json=on_time, headers=people.headers("agency"))
    assert accepted.status_code == 201, accepted.text


async def test_documents_on_sale_from_a_monday_must_stay_on_sale_until_saturday(client, people, clock):
    clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=ZONE))
    monday = local(2026, 12, 7)
    friday = construction(
        people, issued=monday, deadline=local(2026, 12, 31), sale_end=local(2026, 12, 11, 17)
    )
    refused = await client.post("/api/projects/", json=friday, headers=people.headers("agency"))
    assert refused.status_code == 422
    assert (refused.json()["rule"]["id"], refused.json()["details"]["earliest_end"]) == ("C-03", "2026-12-12")
    saturday = construction(
        people, issued=monday, deadline=local(2026, 12, 31), sale_end=local(2026, 12, 12, 17)
    )
    assert (
        await client.post("/api/projects/", json=saturday, headers=people.headers("agency"))
    ).status_code == 201


async def test_a_period_is_counted_from_the_next_day_and_past_a_holiday_that_ends_it(client, people):
    answer = await client.get(
        "/api/calendar/periods",
        params={"start": "2025-09-11", "length": 20, "unit": "days"},
        headers=people.headers("bidder_a"),
    )
    assert answer.status_code == 200
    body = answer.json()
    # The 20th day is 1 October, National Day: the period ends after the holiday, 9 October at 24:00.
    assert body["last_day"] == "2025-10-09"
    assert body["ends_at"] == "2025-10-09T16:00:00Z"
    assert body["ends_at_local"].startswith("2025-10-09 24:00")
    assert body["provisional"] is False


async def test_a_period_reaching_a_year_without_its_notice_is_marked_provisional(client, people):
    answer = await client.get(
        "/api/calendar/periods",
        params={"start": f"{FAR - 1}-12-28", "length": 5, "unit": "working_days"},
        headers=people.headers("clerk"),
    )
    assert (answer.json()["last_day"], answer.json()["provisional"]) == (f"{FAR}-01-05", True)
    bad = await client.get(
        "/api/calendar/periods",
        params={"start": "2026-01-01", "length": -1, "unit": "days"},
        headers=people.headers("clerk"),
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "calendar.length_invalid")


def _notice_of_the_estimate_plus(extra: dt.date) -> dict:
    """A notice for FAR as the State Council might publish it: the estimated days under their
    festival's name, and one more bridge day the estimate did not foresee."""
    holidays = []
    for day, name in provisional_schedule(FAR).holidays:
        festival = name.removesuffix(BRIDGE_SUFFIX)
        holidays.append(
            {"date": day.isoformat(), "name": festival if festival in STATUTORY_HOLIDAYS else "春节"}
        )
    holidays.append({"date": extra.isoformat(), "name": "清明节"})
    return {
        "notice": f"国务院办公厅关于{FAR}年部分节假日安排的通知（测试用）",
        "holidays": holidays,
        "workdays": [],
    }


async def test_a_notice_that_adds_a_bridge_day_lists_and_warns_the_sections_it_cuts_short(
    client, people, clock
):
    clock.set(dt.datetime(FAR - 1, 12, 1, 9, 0, tzinfo=ZONE))
    estimate = WorkingCalendar([], {}, {})
    start = dt.date(FAR, 3, 12)
    end = period(estimate, start, 10, Unit.working_days).last_day
    body = {
        "name": "东山街道R2-07地块国有建设用地使用权挂牌出让",
        "sector": "land",
        "region": "江宁区",
        "description": "二类居住用地",
        "principal_id": str(people.org("land_bureau").id),
        "sections": [
            {
                "name": "R2-07地块",
                "procedure": "land_listing",
                "starting_price": "960000000.00",
                "reserve_price": "980000000.00",
                "deposit": "192000000.00",
                "registration_start": local(start.year, start.month, start.day),
                "listing_start": local(start.year, start.month, start.day),
                "listing_end": local(end.year, end.month, end.day, 17),
                "bid_deadline": local(end.year, end.month, end.day, 17),
            }
        ],
    }
    created = await client.post("/api/projects/", json=body, headers=people.headers("land_bureau"))
    assert created.status_code == 201, created.text
    code = created.json()["sections"][0]["code"]

    # The notice makes the listing's last day a holiday: 9 working days, and a deadline on a holiday.
    loaded = await client.put(
        f"/api/calendar/years/{FAR}", json=_notice_of_the_estimate_plus(end), headers=people.headers("admin")
    )
    assert loaded.status_code == 200, loaded.text
    affected = loaded.json()["affected_sections"]
    assert {(a["section_code"], a["reason"]) for a in affected} == {
        (code, "period_short"),
        (code, "deadline_on_holiday"),
    }
    assert loaded.json()["provisional"] is False

    # The land bureau's supervisor and staff see the yellow warnings; the construction one does not.
    seen = await client.get("/api/calendar/warnings", headers=people.headers("zr_supervisor"))
    assert {w["reason"] for w in seen.json()} == {"period_short", "deadline_on_holiday"}
    assert all(w["level"] == "yellow" and w["section_code"] == code for w in seen.json())
    assert (await client.get("/api/calendar/warnings", headers=people.headers("zj_supervisor"))).json() == []
    assert len((await client.get("/api/calendar/warnings", headers=people.headers("clerk"))).json()) == 2

    warning = seen.json()[0]["id"]
    stranger = await client.post(
        f"/api/calendar/warnings/{warning}/acknowledge",
        json={"note": "已知悉"},
        headers=people.headers("zj_supervisor"),
    )
    assert stranger.status_code == 403
    done = await client.post(
        f"/api/calendar/warnings/{warning}/acknowledge",
        json={"note": "已通知出让人发布变更公告顺延挂牌期"},
        headers=people.headers("zr_supervisor"),
    )
    assert done.status_code == 200
    assert done.json()["acknowledged_by"] == "zr_supervisor"
    again = await client.post(
        f"/api/calendar/warnings/{warning}/acknowledge",
        json={"note": "再次"},
        headers=people.headers("clerk"),
    )
    assert again.status_code == 409
    still_open = await client.get("/api/calendar/warnings", headers=people.headers("zr_supervisor"))
    assert [w["id"] for w in still_open.json()] == [seen.json()[1]["id"]]


async def test_a_malformed_notice_is_refused_whole_naming_the_line(client, people):
    notice = {
        "notice": "测试通知",
        "holidays": [{"date": f"{FAR}-01-01", "name": "元旦"}, {"date": f"{FAR}-03-08", "name": "妇女节"}],
        "workdays": [],
    }
    refused = await client.put(f"/api/calendar/years/{FAR}", json=notice, headers=people.headers("admin"))
    assert refused.status_code == 422
    assert refused.json()["code"] == "calendar.name_unknown"
    assert refused.json()["details"]["line"] == 2
    still = await client.get(f"/api/calendar/years/{FAR}", headers=people.headers("admin"))
    assert still.json()["provisional"] is True


async def test_from_1_november_administrators_are_reminded_of_next_years_notice(client, people, clock):
    clock.set(dt.datetime(FAR - 1, 10, 31, 12, 0, tzinfo=ZONE))
    before = await client.get("/api/calendar/status", headers=people.headers("admin"))
    assert before.json()["reminders"] == []
    clock.set(dt.datetime(FAR - 1, 11, 1, 9, 0, tzinfo=ZONE))
    after = await client.get("/api/calendar/status", headers=people.headers("admin"))
    (reminder,) = after.json()["reminders"]
    assert (reminder["code"], reminder["year"]) == ("calendar.next_year_missing", FAR)
    assert str(FAR) in reminder["zh"]
    forbidden = await client.get("/api/calendar/status", headers=people.headers("bidder_a"))
    assert forbidden.status_code == 403


def land_auction(people, *, sale_start: dt.datetime | None) -> dict:
    section = {
        "name": "G12地块",
        "procedure": "land_auction",
        "starting_price": "50000000.00",
        "deposit": "10000000.00",
        "registration_start": START_ISO,
    }
    if sale_start is not None:
        section["sale_start"] = sale_start.isoformat()
    return {
        "name": "江宁区G12地块国有建设用地使用权拍卖出让",
        "sector": "land",
        "region": "江宁区",
        "principal_id": str(people.org("land_bureau").id),
        "sections": [section],
    }


START_ISO = START.isoformat()


async def test_a_land_auction_needs_its_start_and_an_announcement_20_days_before_it(client, people):
    from tests.trading.factories import call_announcement
    from tests.trading.test_projects import publish

    missing = await client.post(
        "/api/projects/", json=land_auction(people, sale_start=None), headers=people.headers("land_bureau")
    )
    assert (missing.status_code, missing.json()["code"]) == (422, "section.fields_missing")
    assert missing.json()["details"]["missing"] == ["sale_start"]

    # Announced on 2 March (START): an auction on 21 March is one day short (L-01), 22 March is not.
    for days, expected in ((19, 422), (20, 200)):
        body = land_auction(people, sale_start=START + dt.timedelta(days=days))
        project = (
            await client.post("/api/projects/", json=body, headers=people.headers("land_bureau"))
        ).json()
        answer = await publish(client, people, call_announcement(project["id"]), author="land_bureau")
        assert answer.status_code == expected, answer.text
        if expected == 422:
            assert answer.json()["rule"]["id"] == "L-01"
            assert answer.json()["details"]["earliest_start"] == "2026-03-22"
