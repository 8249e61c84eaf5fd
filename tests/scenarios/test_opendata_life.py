"""Each sector's public life as OCDS releases and records, read from the public API while the
procedure is walked over HTTP the way its users walk it: every package valid against the vendored
OCDS 1.1 schemas at each step, and what is confidential absent at each step: sealed and unopened
bids, the sealed names of drawn experts, the land reserve, bidders' private data (USCC, phone,
bank account) and, before the result, who bid at all."""

import datetime as dt
import json

from tests.bidding.auctions.kit import LISTING_END, bid, land_sale, settle
from tests.bidding.kit import pass_deadline, ready_section, release_all, submit
from tests.experts.helpers import DRAW, PROCUREMENT_HOLDERS, drawn_members, pool, procurement_kit
from tests.trading.opendata.conformance import errors, project_rules

PREFIX = "ocds-xxxxxx"
BIDDERS = ("builder_a", "builder_b", "builder_c")


async def public_life(client, people, section_id, sector):
    """The section's record in the sector's record package (and the release package), both valid;
    returns the record and the text of everything published."""
    code = (await client.get(f"/api/sections/{section_id}", headers=people.headers("clerk"))).json()["code"]
    texts, record = [], None
    for kind in ("records", "releases"):
        answer = await client.get(f"/api/public/opendata/{kind}", params={"sector": sector, "limit": 100})
        assert answer.status_code == 200, answer.text
        package = answer.json()
        assert errors(package, kind.removesuffix("s")) == []
        assert project_rules(package, PREFIX) == []
        texts.append(json.dumps(package, ensure_ascii=False))
        if kind == "records":
            record = next(r for r in package["records"] if r["ocid"] == f"{PREFIX}-{code}")
    return record, "\n".join(texts)


def tags(record):
    return [r["tag"][0] for r in record["releases"]]


def private_data(people, orgs=BIDDERS):
    out = []
    for name in orgs:
        org = people.org(name)
        out += [org.uscc, org.contact_phone] + (
            [org.basic_account_number] if org.basic_account_number else []
        )
    return out


def money(*prices):
    """A price as it could appear: yuan with or without cents, fen."""
    out = []
    for price in prices:
        yuan = price.removesuffix(".00")
        out += [yuan, yuan + ".0", str(int(float(price) * 100))]
    return out


def assert_absent(text, values):
    leaked = [v for v in values if v and v in text]
    assert leaked == []


async def sealed_then_opened_then_drawn(client, people, settings, clock, tmp_path, db, sector):
    if sector == "construction":
        kit = await ready_section(client, people, settings, clock, tmp_path)
        holders, supervisor, draw = ("clerk", "zj_supervisor"), "zj_supervisor", DRAW
        codes = ("A0101", "A0401")
    else:
        kit = await procurement_kit(client, people, settings, clock, tmp_path)
        holders, supervisor, codes = PROCUREMENT_HOLDERS[:2], "cz_supervisor", ("B02", "C03")
        draw = {
            **DRAW,
            "lines": [
                {"specialty": "B02", "experts": 4, "reserves": 1},
                {"specialty": "C03", "experts": 1, "reserves": 1},
            ],
        }
    prices = {"bidder_a": "6123456.78", "bidder_b": "6234567.89", "bidder_c": "6345678.91"}
    for username, price in prices.items():
        assert (await submit(client, people, kit, username, kit.seal(username, price))).status_code == 201
    # Sealed: the call is public, the bids are not, nor who handed one in.
    record, text = await public_life(client, people, kit.section_id, sector)
    assert tags(record) == ["planning", "tender"]
    assert record["compiledRelease"]["tender"]["status"] == "active"
    names = [people.org(o).name for o in BIDDERS]
    assert_absent(text, money(*prices.values()) + private_data(people) + names)
    # Opened: the opening record is the bidders' (and the oversight's); OCDS publishes no bid.
    await pass_deadline(clock, kit)
    assert (
        await client.post(
            f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
        )
    ).status_code == 201
    await release_all(client, people, kit, holders)
    unsealed = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening/unseal", headers=people.headers("clerk")
    )
    assert unsealed.json()["status"] == "recorded"
    # The experts are drawn under seal (E-06): their names are nowhere in the open data.
    await pool(db, clock.now(), codes=codes)
    drawn = await client.post(
        f"/api/experts/sections/{kit.section_id}/draw", json=draw, headers=people.headers("clerk")
    )
    assert drawn.status_code == 201, drawn.text
    members = await drawn_members(client, people, db, kit.section_id, supervisor=supervisor)
    expert_names = [m["name"] for m in members.values()]
    assert expert_names and all(expert_names)
    record, text = await public_life(client, people, kit.section_id, sector)
    assert tags(record) == ["planning", "tender"]
    assert_absent(text, money(*prices.values()) + private_data(people) + expert_names)


async def test_construction_public_life_publishes_no_bid_and_no_sealed_expert(
    client, people, settings, clock, tmp_path, db
):
    await sealed_then_opened_then_drawn(client, people, settings, clock, tmp_path, db, "construction")


async def test_procurement_public_life_publishes_no_bid_and_no_sealed_expert(
    client, people, settings, clock, tmp_path, db
):
    await sealed_then_opened_then_drawn(client, people, settings, clock, tmp_path, db, "procurement")


async def test_land_public_life_from_the_listing_to_the_award_without_the_reserve(
    client, people, settings, clock
):
    sale = await land_sale(client, people, settings, clock, "bidder_a", "bidder_b")
    record, text = await public_life(client, people, sale.section_id, "land")
    assert tags(record) == ["planning", "tender"]
    assert record["compiledRelease"]["tender"]["value"] == {"amount": 96000000.0, "currency": "CNY"}
    assert_absent(text, money("98000000.00") + private_data(people, ("builder_a", "builder_b")))
    assert (await bid(client, people, sale, "bidder_b", "97000000.00")).status_code == 201
    assert (await bid(client, people, sale, "bidder_a", "98000000.00")).status_code == 201
    clock.set(LISTING_END + dt.timedelta(hours=1))
    assert (await settle(client, people, sale))["status"] == "sold"
    record, text = await public_life(client, people, sale.section_id, "land")
    assert tags(record) == ["planning", "tender", "award"]
    award = record["compiledRelease"]["awards"][0]
    assert award["suppliers"] == [
        {"id": str(people.org("builder_a").id), "name": people.org("builder_a").name}
    ]
    # The winner is public; the reserve, the losing offer, the private data are not.
    assert_absent(
        text, money("98000000.00", "97000000.00") + private_data(people, ("builder_a", "builder_b"))
    )
