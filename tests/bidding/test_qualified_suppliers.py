"""P-06 with GPL art. 36: at the bid deadline of a procurement tender the opening counts the
qualified suppliers (bid standing, qualification accepted); fewer than 3 and there is no opening,
the tender fails (废标), citing the article."""

import datetime as dt
from pathlib import Path

import pytest

from bidding.sealing import keys
from bidding.sealing.documents import verify_document
from tests.bidding.helpers import accepted_bidder
from tests.bidding.kit import (
    BIDDERS,
    Bidder,
    Kit,
    _org_of,
    certify,
    configure_holders,
    pass_deadline,
    pay_deposit,
    platform_ca,
    sealing_parameters,
    submit,
)
from tests.conftest import START
from tests.funds.helpers import open_section

PRICES = {"bidder_a": "6700000.00", "bidder_b": "6600000.00", "bidder_c": "6500000.00"}


async def procurement_kit(client, people, settings, clock, tmp_path: Path) -> Kit:
    """As tests.bidding.kit.ready_section, for a procurement open tender (hospital's CT scanner)."""
    section_id = await open_section(client, people, "procurement")
    holder_keys = await configure_holders(
        client, people, section_id, holders=("clerk", "cz_supervisor", "hospital")
    )
    ca = await platform_ca(client)
    parameters = await sealing_parameters(client, people, section_id, ca)
    bidders = {}
    for username in BIDDERS:
        registration = await accepted_bidder(client, people, section_id, username)
        mine = await client.get("/api/bidding/registrations/mine", headers=people.headers(username))
        registration = next(r for r in mine.json() if r["id"] == registration["id"])
        await pay_deposit(client, people, settings, clock, username, registration)
        signing_key, certificate_pem = await certify(client, people, username)
        bidders[username] = Bidder(
            username=username,
            signing_key=signing_key,
            decryption_key=keys.new_x25519_key(),
            certificate_pem=certificate_pem,
            uscc=people.cast.organisations[_org_of(people, username)].uscc,
            registration=registration,
        )
    workdir = tmp_path / "bidder-side"
    workdir.mkdir(exist_ok=True)
    return Kit(section_id, ca, parameters, holder_keys, bidders, workdir, START + dt.timedelta(days=25))


async def bid_all(client, people, kit: Kit) -> None:
    for username in BIDDERS:
        answer = await submit(client, people, kit, username, kit.seal(username, PRICES[username]))
        assert answer.status_code == 201, answer.text


async def withdraw_registration(client, people, kit: Kit, username: str) -> None:
    answer = await client.post(
        f"/api/bidding/registrations/{kit.bidders[username].registration['id']}/withdraw",
        json={"reason": "放弃投标"},
        headers=people.headers(username),
    )
    assert answer.status_code == 200, answer.text


async def start_opening(client, people, kit: Kit) -> dict:
    answer = await client.post(
        f"/api/bidding/sections/{kit.section_id}/opening", json={}, headers=people.headers("clerk")
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
async def kit(client, people, settings, clock, tmp_path) -> Kit:
    return await procurement_kit(client, people, settings, clock, tmp_path)


async def test_two_qualified_suppliers_of_three_bids_fail_the_tender(client, people, kit, clock):
    await bid_all(client, people, kit)
    await withdraw_registration(client, people, kit, "bidder_c")
    await pass_deadline(clock, kit)
    opening = await start_opening(client, people, kit)
    assert opening["status"] == "failed"
    assert opening["failure"]["rule"] == "P-06"
    signed = await client.get(
        f"/api/bidding/sections/{kit.section_id}/opening/record", headers=people.headers("bidder_a")
    )
    record = verify_document(signed.json(), kit.ca)
    assert (record["outcome"], record["rule"]) == ("failed", "P-06")
    assert "废标" in record["reason"]["zh-CN"] and "GPL art. 36" in record["reason"]["en"]
    section = await client.get(f"/api/sections/{kit.section_id}", headers=people.headers("clerk"))
    assert section.json()["status"] == "failed"


async def test_three_qualified_suppliers_open(client, people, kit, clock):
    await bid_all(client, people, kit)
    await pass_deadline(clock, kit)
    opening = await start_opening(client, people, kit)
    assert opening["status"] == "collecting", opening
