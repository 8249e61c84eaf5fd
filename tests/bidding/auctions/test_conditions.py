"""The transferor's conditions for transferees (受让方资格条件), answered at registration (R-03):
each stated condition declared met, with the evidence named where the condition asks for it;
anything short of that is refused and files nothing (the bidder's form: tests/portal/
test_transferee_form.py); staff see the answers; joining asks nothing."""

from tests.bidding.auctions.kit import announced, join, listed, open_listing, property_body, qualified
from tests.bidding.helpers import accepted_bidder, register_bidder

LEGAL_PERSON = "受让方须为依法设立的企业法人"
NO_DEBT = "受让方近三年无重大违法记录"
LICENCE = "营业执照 统一社会信用代码91320115MA1W9XKQ3N"


async def transfer(client, people):
    return await listed(
        client,
        people,
        property_body(people),
        transferee_conditions=[{"text": LEGAL_PERSON, "evidence_required": True}, NO_DEBT],
    )


def answers(*, licence=LICENCE, met=True, extra=()):
    return [
        {"condition": LEGAL_PERSON, "met": True, "evidence": licence},
        {"condition": NO_DEBT, "met": met},
        *extra,
    ]


async def mine(client, people, username):
    response = await client.get("/api/bidding/registrations/mine", headers=people.headers(username))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_registration_short_of_any_condition_is_refused_and_files_nothing(client, people):
    sale = await transfer(client, people)
    for body, detail in (
        (answers()[:1], ("unanswered", [NO_DEBT])),
        (answers(met=False), ("not_met", [NO_DEBT])),
        (answers(licence="  "), ("evidence_missing", [LEGAL_PERSON])),
        (answers(licence=None), ("evidence_missing", [LEGAL_PERSON])),
        (
            answers(extra=[{"condition": "受让方须为外资企业", "met": True}]),
            ("unknown", ["受让方须为外资企业"]),
        ),
        (answers(extra=[{"condition": NO_DEBT, "met": True}]), ("answered_twice", True)),
        ([], ("unanswered", [LEGAL_PERSON, NO_DEBT])),
    ):
        refused = await register_bidder(client, people, sale.section_id, "bidder_a", body)
        assert refused.status_code == 422, body
        problem = refused.json()
        assert (problem["code"], problem["rule"]["id"]) == ("registration.conditions_not_met", "R-03")
        assert problem["message"]["zh-CN"] and problem["message"]["en"]
        assert problem["details"][detail[0]] == detail[1], body
    # Without the answers at all, as an old client would send.
    bare = await register_bidder(client, people, sale.section_id, "bidder_a")
    assert (bare.status_code, bare.json()["code"]) == (422, "registration.conditions_not_met")
    assert await mine(client, people, "bidder_a") == []


async def test_the_answers_travel_with_the_registration_to_the_staff_who_accept_it(client, people):
    sale = await transfer(client, people)
    registered = await register_bidder(client, people, sale.section_id, "bidder_a", answers())
    assert registered.status_code == 201, registered.text
    kept = [
        {"condition": LEGAL_PERSON, "met": True, "evidence": LICENCE},
        {"condition": NO_DEBT, "met": True, "evidence": None},
    ]
    assert registered.json()["transferee_answers"] == kept
    listed_for_staff = await client.get(
        f"/api/bidding/sections/{sale.section_id}/registrations", headers=people.headers("clerk")
    )
    assert [r["transferee_answers"] for r in listed_for_staff.json()] == [kept]
    page = await client.get(
        f"/portal/staff/sections/{sale.section_id}/registrations", headers=people.headers("clerk")
    )
    assert page.status_code == 200
    assert LEGAL_PERSON in page.text and LICENCE in page.text
    events = await client.get(
        "/api/audit/events",
        params={"subject_id": registered.json()["id"], "action": "registration.registered"},
        headers=people.headers("auditor"),
    )
    assert events.json()[0]["data"]["transferee_answers"] == kept


async def test_joining_asks_nothing_more_of_an_accepted_transferee(client, people, settings, clock):
    sale = await transfer(client, people)
    await qualified(
        client, people, settings, clock, sale, "developer", amount="1000000.00", answers=answers()
    )
    joined = await join(client, people, sale, "developer")
    assert joined.status_code == 200, joined.text


async def test_a_section_whose_listing_states_no_condition_takes_no_answers(client, people):
    sale = await listed(client, people, property_body(people))
    stray = await register_bidder(client, people, sale.section_id, "bidder_a", answers())
    assert (stray.status_code, stray.json()["details"]["unknown"]) == (422, [LEGAL_PERSON, NO_DEBT])
    plain = await register_bidder(client, people, sale.section_id, "bidder_a")
    assert (plain.status_code, plain.json()["transferee_answers"]) == (201, [])


async def test_conditions_are_disclosed_before_registration_not_added_after(client, people):
    sale = await announced(client, people, property_body(people))
    await accepted_bidder(client, people, sale.section_id, "bidder_a")
    late = await open_listing(client, people, sale, transferee_conditions=[LEGAL_PERSON])
    assert (late.status_code, late.json()["code"]) == (409, "listing.conditions_after_registration")
    assert (await open_listing(client, people, sale)).status_code == 201


async def test_only_a_bidder_registers_and_only_with_a_token(client, people):
    sale = await transfer(client, people)
    url = f"/api/bidding/sections/{sale.section_id}/registrations"
    body = {
        "contact_name": "蒋投标",
        "contact_phone": "025-52100001",
        "contact_email": "bid@example.cn",
        "transferee_answers": answers(),
    }
    assert (await client.post(url, json=body)).status_code == 401
    assert (await client.post(url, json=body, headers=people.headers("clerk"))).status_code == 403
    malformed = await client.post(
        url,
        json={**body, "transferee_answers": [{"condition": LEGAL_PERSON}]},
        headers=people.headers("bidder_a"),
    )
    assert (malformed.status_code, malformed.json()["code"]) == (400, "request.invalid")
    assert await mine(client, people, "bidder_a") == []
