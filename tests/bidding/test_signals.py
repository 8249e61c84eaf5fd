"""Collusion signals: each with a planted case and a clean case, then the section's signals over
HTTP after a real opening, scoped to the sector's supervisors."""

import uuid

from sqlalchemy import update

from bidding.signals.rules import Trace, price_patterns, shared
from tests.bidding.kit import pass_deadline, ready_section, release_all, submit
from tests.funds.helpers import open_section, open_subaccount, pay
from trading.organisations.models import Organisation

A, B, C = (uuid.UUID(int=n) for n in (1, 2, 3))


def kinds(signals):
    return [(s.kind, s.organisations) for s in signals]


def test_a_value_shared_by_two_bidders_is_a_signal_and_one_bidders_own_is_not():
    planted = shared("same_payer_account", [Trace(A, "3200 1234"), Trace(B, "32001234"), Trace(C, "999")])
    assert kinds(planted) == [("same_payer_account", (A, B))]
    assert planted[0].evidence == {"payer_account": "3200 1234"}
    # One bidder paying twice from its own account, or a blank value, is nothing.
    assert shared("same_payer_account", [Trace(A, "1"), Trace(A, "1"), Trace(B, ""), Trace(C, " ")]) == []


def test_each_shared_kind_cites_its_rule():
    for kind, rule in (
        ("same_contact", "C-12"),
        ("same_document", "C-12"),
        ("same_bid_file", "C-12"),
        ("same_project_manager", "C-12"),
        ("same_legal_representative", "C-18"),
    ):
        (signal,) = shared(kind, [Trace(A, "王强"), Trace(B, "王 强")])
        assert (signal.kind, signal.rule, signal.organisations) == (kind, rule, (A, B))
        assert shared(kind, [Trace(A, "王强"), Trace(B, "刘洋")]) == []


def test_identical_prices_are_a_signal_close_ones_are_not():
    assert kinds(price_patterns({A: 4860000000, B: 4860000000, C: 4700000000})) == [
        ("identical_prices", (A, B))
    ]
    assert price_patterns({A: 4860000000, B: 4860000001}) == []


def test_prices_in_equal_steps_or_a_constant_ratio_are_signals_irregular_ones_are_not():
    steps = price_patterns({A: 4800000000, B: 4850000000, C: 4900000000})
    assert (steps[0].kind, steps[0].evidence["step_fen"]) == ("equal_price_steps", 50000000)
    ratio = price_patterns({A: 4000000000, B: 4200000000, C: 4410000000})  # × 1.05 each
    assert (ratio[0].kind, ratio[0].evidence["ratio"]) == ("constant_price_ratio", "1.050000")
    assert price_patterns({A: 4800000000, B: 4850000000, C: 4910000000}) == []
    assert price_patterns({A: 4800000000, B: 4850000000}) == []  # two prices always differ by some step


async def signals(client, people, section_id, who="zj_supervisor", status=200):
    response = await client.get(f"/api/bidding/sections/{section_id}/signals", headers=people.headers(who))
    assert response.status_code == status, response.text
    return response.json()


async def test_deposits_paid_from_one_account_and_a_shared_legal_representative(
    client, people, settings, clock, db
):
    section_id = await open_section(client, people)
    accounts = {
        org: await open_subaccount(client, people, section_id, org) for org in ("builder_a", "builder_b")
    }
    await pay(client, people, settings, clock, accounts["builder_a"]["number"], "20000.00", org="builder_a")
    await pay(client, people, settings, clock, accounts["builder_b"]["number"], "20000.00", org="builder_b")
    assert await signals(client, people, section_id) == []  # clean: each paid from its own account
    clean_section = await open_section(client, people)
    planted = await open_section(client, people)
    for org in ("builder_a", "builder_b"):
        account = await open_subaccount(client, people, planted, org)
        await pay(
            client,
            people,
            settings,
            clock,
            account["number"],
            "20000.00",
            org=org,
            payer_account=people.org("builder_a").basic_account_number,
        )
    (paid,) = await signals(client, people, planted)
    assert (paid["kind"], paid["rule"]) == ("same_payer_account", "C-12")
    assert {p["name"] for p in paid["organisations"]} == {"江苏华建建设集团有限公司", "南京宁安建工有限公司"}
    async with db.session() as session:
        await session.execute(
            update(Organisation)
            .where(Organisation.id == people.org("builder_b").id)
            .values(legal_representative="王强")
        )
        await session.commit()
    assert {s["kind"] for s in await signals(client, people, section_id)} == {"same_legal_representative"}
    assert await signals(client, people, clean_section) == []
    # Another bureau does not see the section; bidders may not ask.
    await signals(client, people, section_id, "cz_supervisor", 404)
    await signals(client, people, section_id, "bidder_a", 403)


async def test_an_opened_section_shows_the_signals_of_its_bids(client, people, settings, clock, tmp_path):
    kit = await ready_section(client, people, settings, clock, tmp_path)
    same_file = b"%PDF-1.7 same technical proposal"
    for username, price, content in (
        ("bidder_a", "48000000.00", same_file),
        ("bidder_b", "48500000.00", same_file),
        ("bidder_c", "49000000.00", b"%PDF-1.7 its own proposal"),
    ):
        assert (
            await submit(client, people, kit, username, kit.seal(username, price, content))
        ).status_code == 201
    await pass_deadline(clock, kit)
    url = f"/api/bidding/sections/{kit.section_id}/opening"
    assert (await client.post(url, json={}, headers=people.headers("clerk"))).status_code == 201
    await release_all(client, people, kit)
    assert (await client.post(f"{url}/unseal", headers=people.headers("clerk"))).status_code == 200
    found = {s["kind"]: len(s["organisations"]) for s in await signals(client, people, kit.section_id)}
    # The kit registers every bidder with one contact and one licence file and names one manager.
    assert found == {
        "same_contact": 3,
        "same_document": 3,
        "same_bid_file": 2,
        "same_project_manager": 3,
        "equal_price_steps": 3,
    }
