"""Construction, walked over the API: a potential bidder objects to the tender documents, the
section pauses (bids still come in, the opening waits), the tenderee's late answer moves the bid
deadline (C-05), and the opening goes ahead at the moved deadline."""

import datetime as dt

from tests.bidding.kit import ready_section, submit

SH = dt.timezone(dt.timedelta(hours=8))


async def test_an_objection_pauses_the_tender_and_its_late_answer_moves_the_deadline(
    client, people, settings, clock, tmp_path
):
    kit = await ready_section(client, people, settings, clock, tmp_path)  # deadline 27 March 09:00
    clock.set(dt.datetime(2026, 3, 16, 10, 0, tzinfo=SH))
    filed = await client.post(
        f"/api/sections/{kit.section_id}/objections",
        json={"grounds": "资格条件要求“省内同类工程业绩”，限制外地潜在投标人，请予更正。"},
        headers=people.headers("bidder_c"),
    )
    assert filed.status_code == 201, filed.text

    # Paused: the bidders may still hand in their bids, which they can change until the deadline.
    for username in ("bidder_a", "bidder_b", "bidder_c"):
        handed_in = await submit(client, people, kit, username, kit.seal(username, "48000000.00"))
        assert handed_in.status_code == 201, handed_in.text
    listed = await client.get(
        f"/api/sections/{kit.section_id}/objections", headers=people.headers("zj_supervisor")
    )
    assert listed.json()["paused"] is True

    # The agency answers on the 19th, in time but only eight days before the deadline: ten days
    # from the answer is Sunday the 29th, so the deadline moves to Monday the 30th.
    clock.set(dt.datetime(2026, 3, 19, 16, 0, tzinfo=SH))
    answered = await client.post(
        f"/api/objections/{filed.json()['id']}/answer",
        json={"answer": "已删除该业绩条款，澄清文件同日发布。"},
        headers=people.headers("agency"),
    )
    assert answered.status_code == 200, answered.text
    moved = dt.datetime(2026, 3, 30, 9, 0, tzinfo=SH)
    assert dt.datetime.fromisoformat(answered.json()["deadline_moved_to"]) == moved

    # At the old deadline bidding is still open; at the moved one the opening starts.
    clock.set(kit.deadline + dt.timedelta(minutes=1))
    early = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
    )
    assert early.status_code == 409 and early.json()["code"] == "opening.section_not_closed"
    clock.set(moved + dt.timedelta(minutes=1))
    opening = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
    )
    assert opening.status_code == 201, opening.text
    assert opening.json()["status"] == "collecting"
