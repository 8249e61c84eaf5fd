"""C-05 (TLR art. 22): objections to the tender documents at least 10 days before the bid
deadline, the tenderee's answer within 3 days, the section paused meanwhile (no opening), and the
deadline moved when the answer leaves it too near."""

import datetime as dt

from sqlalchemy import select

from tests.bidding.helpers import open_section
from tests.conftest import START
from tests.funds.helpers import open_section as open_sector_section
from trading.audit.models import AuditEvent

SH = dt.timezone(dt.timedelta(hours=8))
# tests.bidding.helpers.open_section: documents issued at START, deadline 25 days later.
DEADLINE = START + dt.timedelta(days=25)  # Friday 27 March 2026, 09:00
GROUNDS = {"grounds": "招标文件第三章评标办法中业绩加分条款限定特定行政区域，排斥潜在投标人，请予修改。"}


def on(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=SH)


async def file(client, people, section_id, as_="bidder_a"):
    return await client.post(
        f"/api/sections/{section_id}/objections", json=GROUNDS, headers=people.headers(as_)
    )


async def answer(client, people, objection_id, as_="agency"):
    return await client.post(
        f"/api/objections/{objection_id}/answer",
        json={"answer": "经核查，该条款已删除，详见澄清文件。"},
        headers=people.headers(as_),
    )


async def objections(client, people, section_id, as_="clerk"):
    return await client.get(f"/api/sections/{section_id}/objections", headers=people.headers(as_))


async def deadline_of(client, people, section_id) -> dt.datetime:
    section = await client.get(f"/api/sections/{section_id}", headers=people.headers("clerk"))
    return dt.datetime.fromisoformat(section.json()["bid_deadline"])


async def test_an_objection_ten_days_before_the_deadline_is_taken(client, people, clock):
    section_id = await open_section(client, people)
    clock.set(on(17, 23, 59))
    filed = await file(client, people, section_id)
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert objection["status"] == "pending"
    # Received on 17 March; three days counted from the 18th end at 24:00 on the 20th.
    assert dt.datetime.fromisoformat(objection["answer_due_at"]) == on(21, 0)


async def test_an_objection_nine_days_before_the_deadline_is_refused(client, people, clock):
    section_id = await open_section(client, people)
    clock.set(on(18, 0, 0))
    late = await file(client, people, section_id)
    assert late.status_code == 422, late.text
    problem = late.json()
    assert (problem["code"], problem["rule"]["id"], problem["rule"]["source"]) == (
        "objection.too_late",
        "C-05",
        "TLR art. 22",
    )
    assert problem["details"]["latest_filing_on"] == "2026-03-17"
    assert "2026-03-27 09:00" in problem["message"]["zh-CN"]
    assert (await objections(client, people, section_id)).json()["paused"] is False


async def test_a_pending_objection_pauses_the_section_and_the_opening(client, people, clock):
    section_id = await open_section(client, people)
    clock.set(on(10))
    assert (await file(client, people, section_id)).status_code == 201
    listed = await objections(client, people, section_id, as_="zj_supervisor")
    assert listed.status_code == 200 and listed.json()["paused"] is True
    clock.set(DEADLINE + dt.timedelta(minutes=1))
    opening = await client.post(
        f"/api/bidding/sections/{section_id}/opening", json={}, headers=people.headers("clerk")
    )
    assert opening.status_code == 409, opening.text
    assert (opening.json()["code"], opening.json()["rule"]["id"]) == ("opening.paused", "C-05")


async def test_an_answer_that_leaves_ten_days_keeps_the_deadline(client, people, clock, db):
    section_id = await open_section(client, people)
    clock.set(on(12))
    objection = (await file(client, people, section_id)).json()
    clock.set(on(17, 23, 59))
    answered = await answer(client, people, objection["id"])
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered" and answered.json()["deadline_moved_to"] is None
    assert await deadline_of(client, people, section_id) == DEADLINE
    assert (await objections(client, people, section_id)).json()["paused"] is False


async def test_an_answer_nine_days_before_the_deadline_moves_it(client, people, clock, db):
    section_id = await open_section(client, people)
    clock.set(on(16))
    objection = (await file(client, people, section_id)).json()
    clock.set(on(18, 8))
    answered = await answer(client, people, objection["id"], as_="principal")
    assert answered.status_code == 200, answered.text
    # Answered on the 18th: the deadline keeps ten days, to Saturday the 28th, and past the
    # weekend (D-02) to Monday the 30th, at its own hour.
    assert dt.datetime.fromisoformat(answered.json()["deadline_moved_to"]) == on(30, 9)
    assert await deadline_of(client, people, section_id) == on(30, 9)
    async with db.session() as session:
        moved = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "section.deadline_moved"))
        ).all()
    assert [(e.data["rule"], e.data["objection"]) for e in moved] == [("C-05", objection["id"])]


async def test_the_pause_lasts_until_the_last_objection_is_answered(client, people, clock):
    section_id = await open_section(client, people)
    clock.set(on(10))
    first = (await file(client, people, section_id, as_="bidder_a")).json()
    second = (await file(client, people, section_id, as_="bidder_b")).json()
    assert (await answer(client, people, first["id"])).status_code == 200
    assert (await objections(client, people, section_id)).json()["paused"] is True
    assert (await answer(client, people, second["id"])).status_code == 200
    assert (await objections(client, people, section_id)).json()["paused"] is False
    again = await answer(client, people, second["id"])
    assert again.status_code == 409 and again.json()["code"] == "objection.already_answered"


async def test_only_the_tenderee_or_the_center_answers(client, people, clock):
    section_id = await open_section(client, people)
    clock.set(on(10))
    objection = (await file(client, people, section_id)).json()
    other_principal = await answer(client, people, objection["id"], as_="hospital")
    assert other_principal.status_code == 404
    bidder = await answer(client, people, objection["id"], as_="bidder_b")
    assert bidder.status_code == 403
    assert (await answer(client, people, objection["id"], as_="clerk")).status_code == 200


async def test_who_reads_the_objections(client, people, clock):
    section_id = await open_section(client, people)
    clock.set(on(10))
    await file(client, people, section_id, as_="bidder_a")
    for reader in ("clerk", "auditor", "zj_supervisor", "agency", "principal"):
        listed = await objections(client, people, section_id, as_=reader)
        assert listed.status_code == 200 and len(listed.json()["objections"]) == 1, reader
    assert len((await objections(client, people, section_id, as_="bidder_a")).json()["objections"]) == 1
    assert (await objections(client, people, section_id, as_="bidder_b")).json()["objections"] == []
    assert (await objections(client, people, section_id, as_="cz_supervisor")).status_code == 404


async def test_procurement_documents_are_challenged_not_objected_to(client, people, clock):
    section_id = await open_sector_section(client, people, "procurement")
    refused = await file(client, people, section_id)
    assert refused.status_code == 422
    assert refused.json()["code"] == "objection.not_construction"


async def test_bad_input_is_refused_and_changes_nothing(client, people, clock):
    section_id = await open_section(client, people)
    empty = await client.post(
        f"/api/sections/{section_id}/objections", json={"grounds": ""}, headers=people.headers("bidder_a")
    )
    assert empty.status_code == 400
    unknown = await client.post(
        "/api/objections/00000000-0000-0000-0000-000000000000/answer",
        json={"answer": "答复内容"},
        headers=people.headers("agency"),
    )
    assert unknown.status_code == 404
    assert (await objections(client, people, section_id)).json() == {
        "section_id": section_id,
        "paused": False,
        "bid_deadline": DEADLINE.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "objections": [],
    }
