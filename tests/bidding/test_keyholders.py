"""Opening key holders (k of n): who may hold a share, the one-party rule, keys made off the server."""

from bidding.sealing import keys
from bidding.sealing.documents import verify_document
from tests.bidding.helpers import open_section
from tests.bidding.kit import configure_holders, platform_ca


async def plan(client, people, section_id, holders, threshold=2):
    return await client.put(
        f"/api/bidding/sections/{section_id}/keyholders",
        json={"threshold": threshold, "holders": [str(people.user(h).id) for h in holders]},
        headers=people.headers("clerk"),
    )


async def test_staff_name_holders_from_the_center_the_bureau_and_the_principal(client, people):
    section_id = await open_section(client, people)
    answer = await plan(client, people, section_id, ("clerk", "zj_supervisor", "principal"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [h["party"] for h in body["holders"]] == ["staff", "supervisor", "principal"]
    assert body["threshold"] == 2 and body["ready"] is False


async def test_the_center_alone_may_not_hold_the_threshold(client, people):
    """However many of its staff act together, the center alone must not be able to open bids."""
    section_id = await open_section(client, people)
    answer = await plan(client, people, section_id, ("clerk", "admin", "zj_supervisor"))
    assert answer.status_code == 422  # admin is not staff: not eligible
    assert answer.json()["code"] == "keyholders.not_eligible"
    two_sides = await plan(client, people, section_id, ("clerk", "zj_supervisor"), threshold=2)
    assert two_sides.status_code == 200
    one_side = await client.put(
        f"/api/bidding/sections/{section_id}/keyholders",
        json={"threshold": 2, "holders": [str(people.user("principal").id), str(people.user("agency").id)]},
        headers=people.headers("clerk"),
    )
    assert one_side.status_code == 422
    assert one_side.json()["code"] == "keyholders.one_party_could_open"
    assert one_side.json()["rule"]["id"] == "E-01"


async def test_a_supervisor_of_another_sector_or_a_bidder_cannot_hold_a_share(client, people):
    section_id = await open_section(client, people)
    for outsider in ("cz_supervisor", "bidder_a", "hospital"):
        answer = await plan(client, people, section_id, ("clerk", outsider))
        assert answer.status_code == 422, outsider
        assert answer.json()["code"] == "keyholders.not_eligible"


async def test_a_threshold_of_one_is_refused(client, people):
    section_id = await open_section(client, people)
    answer = await plan(client, people, section_id, ("clerk", "zj_supervisor"), threshold=1)
    assert answer.status_code == 400  # below the schema's minimum of 2


async def test_holders_register_their_own_public_keys_and_the_parameters_are_signed(client, people):
    section_id = await open_section(client, people)
    await plan(client, people, section_id, ("clerk", "zj_supervisor", "principal"))
    early = await client.get(
        f"/api/bidding/sections/{section_id}/sealing-parameters", headers=people.headers("bidder_a")
    )
    assert early.status_code == 409 and early.json()["code"] == "keyholders.keys_missing"
    outsider = await client.put(
        f"/api/bidding/sections/{section_id}/keyholders/me/key",
        json={"public_key": keys.PublicKeyInfo.of(keys.new_x25519_key()).b64},
        headers=people.headers("cz_supervisor"),
    )
    assert outsider.status_code == 403 and outsider.json()["code"] == "keyholders.not_a_holder"
    bad = await client.put(
        f"/api/bidding/sections/{section_id}/keyholders/me/key",
        json={"public_key": "A" * 43 + "="},
        headers=people.headers("clerk"),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "keyholders.key_invalid"
    private = {}
    for holder in ("clerk", "zj_supervisor", "principal"):
        private[holder] = keys.new_x25519_key()
        answer = await client.put(
            f"/api/bidding/sections/{section_id}/keyholders/me/key",
            json={"public_key": keys.PublicKeyInfo.of(private[holder]).b64},
            headers=people.headers(holder),
        )
        assert answer.status_code == 200, answer.text
    parameters = await client.get(
        f"/api/bidding/sections/{section_id}/sealing-parameters", headers=people.headers("bidder_a")
    )
    body = verify_document(parameters.json(), await platform_ca(client))
    assert body["threshold"] == 2
    assert [h["public_key"] for h in body["holders"]] == [
        keys.PublicKeyInfo.of(private[h]).b64 for h in private
    ]
    # Bidders see each holder's side, not who the person is.
    assert all(people.user(h).display_name not in str(body) for h in private)


async def test_the_same_key_cannot_serve_two_holders(client, people):
    section_id = await open_section(client, people)
    await plan(client, people, section_id, ("clerk", "zj_supervisor", "principal"))
    shared = keys.PublicKeyInfo.of(keys.new_x25519_key()).b64
    first = await client.put(
        f"/api/bidding/sections/{section_id}/keyholders/me/key",
        json={"public_key": shared},
        headers=people.headers("clerk"),
    )
    assert first.status_code == 200
    second = await client.put(
        f"/api/bidding/sections/{section_id}/keyholders/me/key",
        json={"public_key": shared},
        headers=people.headers("zj_supervisor"),
    )
    assert second.status_code == 409 and second.json()["code"] == "keyholders.key_reused"


async def test_holders_cannot_change_once_a_bid_is_sealed_to_them(client, people, settings, clock, tmp_path):
    from tests.bidding.kit import ready_section, submit

    kit = await ready_section(client, people, settings, clock, tmp_path, bidders=("bidder_a",))
    assert (await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "100.00"))).status_code == 201
    again = await plan(client, people, kit.section_id, ("clerk", "zj_supervisor"))
    assert again.status_code == 409 and again.json()["code"] == "keyholders.frozen"
    rekey = await client.put(
        f"/api/bidding/sections/{kit.section_id}/keyholders/me/key",
        json={"public_key": keys.PublicKeyInfo.of(keys.new_x25519_key()).b64},
        headers=people.headers("clerk"),
    )
    assert rekey.status_code == 409 and rekey.json()["code"] == "keyholders.frozen"


async def test_a_bidder_cannot_read_the_holder_plan(client, people):
    section_id = await open_section(client, people)
    await configure_holders(client, people, section_id)
    answer = await client.get(
        f"/api/bidding/sections/{section_id}/keyholders", headers=people.headers("bidder_a")
    )
    assert answer.status_code == 403
    seen = await client.get(
        f"/api/bidding/sections/{section_id}/keyholders", headers=people.headers("zj_supervisor")
    )
    assert seen.status_code == 200 and seen.json()["ready"] is True
