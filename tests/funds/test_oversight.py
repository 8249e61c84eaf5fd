"""Refunds not made by their deadline: yellow on the last day, red after it, per sector."""

import datetime as dt

from tests.funds.helpers import dispatch, move, open_section, open_subaccount, pay
from tests.funds.test_refunds import RATE, fund

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


async def warnings(client, people, who="zj_supervisor"):
    response = await client.get("/api/funds/oversight/warnings", headers=people.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_refund_turns_yellow_on_its_last_day_and_red_after_it(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    await move(
        client, people, section_id, "cancel", reason="项目取消"
    )  # Monday 2 March: due Saturday 7 March (C-16)
    await dispatch(app, db, clock)
    assert await warnings(client, people) == []
    clock.set(dt.datetime(2026, 3, 7, 8, 0, tzinfo=SHANGHAI))
    (warning,) = await warnings(client, people)
    assert (warning["level"], warning["due_on"], warning["rule"]) == ("yellow", "2026-03-07", "C-16")
    clock.set(dt.datetime(2026, 3, 9, 8, 0, tzinfo=SHANGHAI))
    (warning,) = await warnings(client, people)
    assert (warning["level"], warning["days_overdue"]) == ("red", 2)
    assert "逾期2天" in warning["message"]["zh-CN"]
    # Paid late: it stays red, as a record.
    await client.post("/api/funds/refunds/rates", json=RATE, headers=people.headers("clerk"))
    await fund(client, people)  # interest is funded before it is paid
    await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    (refund,) = (await client.get("/api/funds/refunds/", headers=people.headers("clerk"))).json()
    await client.post(
        f"/api/funds/refunds/{refund['id']}/confirm",
        json={"bank_txn_id": "D1", "paid_on": "2026-03-09"},
        headers=people.headers("clerk2"),
    )
    clock.set(dt.datetime(2026, 3, 20, 8, 0, tzinfo=SHANGHAI))
    (warning,) = await warnings(client, people)
    assert (warning["level"], warning["status"], warning["days_overdue"]) == ("red", "confirmed", 2)


async def test_a_refund_paid_in_time_raises_no_warning(client, people, settings, db, clock, app):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    await move(client, people, section_id, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    await client.post("/api/funds/refunds/rates", json=RATE, headers=people.headers("clerk"))
    clock.advance(dt.timedelta(days=1))
    await fund(client, people)  # interest is funded before it is paid
    await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    (refund,) = (await client.get("/api/funds/refunds/", headers=people.headers("clerk"))).json()
    await client.post(
        f"/api/funds/refunds/{refund['id']}/confirm",
        json={"bank_txn_id": "D1", "paid_on": "2026-03-03"},
        headers=people.headers("clerk2"),
    )
    clock.advance(dt.timedelta(days=30))
    assert await warnings(client, people, "auditor") == []


async def test_another_sectors_supervisor_sees_no_warning(client, people, settings, db, clock, app):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    await move(client, people, section_id, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    clock.advance(dt.timedelta(days=10))
    assert len(await warnings(client, people, "zj_supervisor")) == 1
    assert len(await warnings(client, people, "auditor")) == 1
    assert await warnings(client, people, "cz_supervisor") == []
    assert await warnings(client, people, "zr_supervisor") == []
