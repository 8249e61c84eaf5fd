"""The award is the award decision on the committee's candidates, never a hand-made move (C-20),
and nothing moves on while the oversight department suspends the procedure for a complaint (C-21)."""

import datetime as dt

from tests.experts.helpers import evaluated_by_lowest_price, publish_draft
from tests.trading.factories import iso
from trading.clock import local_date

DAY = dt.timedelta(days=1)
PRICES = {"bidder_a": "48000000.00", "bidder_b": "47500000.00", "bidder_c": "49000000.00"}


async def test_no_award_by_hand_and_none_while_a_complaint_suspends_the_procedure(
    client, people, settings, clock, tmp_path, db
):
    kit, _, _ = await evaluated_by_lowest_price(client, people, settings, clock, tmp_path, db, PRICES)
    sid = kit.section_id
    b = str(people.org("builder_b").id)
    drafted = await client.post(
        f"/api/experts/sections/{sid}/notices/candidates",
        json={"publicity_end": iso(clock.now() + 3 * DAY)},
        headers=people.headers("agency"),
    )
    assert (await publish_draft(client, people, drafted.json()["announcement_id"])).status_code == 200
    clock.advance(4 * DAY)

    # The first-ranked candidate, by hand: refused, the decision alone awards (C-20).
    by_hand = await client.post(
        f"/api/sections/{sid}/transitions",
        json={"action": "award", "winner_id": b},
        headers=people.headers("clerk"),
    )
    assert (by_hand.status_code, by_hand.json()["code"]) == (409, "section.award_decision_required")
    assert by_hand.json()["rule"]["id"] == "C-20"

    today = local_date(clock.now(), settings.zone)
    filed = await client.post(
        "/api/complaints/",
        json={"section_id": sid, "matter": "other", "claims": "请求暂停定标", "knew_on": today.isoformat()},
        headers=people.headers("bidder_c"),
    )
    assert filed.status_code == 201, filed.text
    path = f"/api/complaints/{filed.json()['id']}"
    accepted = await client.post(
        f"{path}/review",
        json={"accept": True, "reason": "符合受理条件"},
        headers=people.headers("zj_supervisor"),
    )
    assert accepted.status_code == 200, accepted.text
    until = today + dt.timedelta(days=5)
    suspended = await client.post(
        f"{path}/suspension",
        json={"until": until.isoformat(), "reason": "暂停招标投标活动"},
        headers=people.headers("zj_supervisor"),
    )
    assert suspended.status_code == 200, suspended.text

    # The last day of the suspension still holds the award; the day after, the decision goes.
    clock.advance(5 * DAY)
    paused = await client.post(
        f"/api/experts/sections/{sid}/award", json={"winner_id": b}, headers=people.headers("principal")
    )
    assert (paused.status_code, paused.json()["code"]) == (409, "section.suspended")
    assert (paused.json()["rule"]["id"], paused.json()["details"]["suspended_until"]) == ("C-21", str(until))
    section = (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()
    assert (section["status"], section["winner_id"]) == ("candidates_published", None)
    clock.advance(DAY)
    award = await client.post(
        f"/api/experts/sections/{sid}/award", json={"winner_id": b}, headers=people.headers("principal")
    )
    assert award.status_code == 201, award.text
    section = (await client.get(f"/api/sections/{sid}", headers=people.headers("clerk"))).json()
    assert (section["status"], section["winner_id"]) == ("awarded", b)
