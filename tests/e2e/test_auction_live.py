"""A watcher sees an auction bid appear live: the room's websocket through the login cookie, with
every request outside this machine blocked."""

from __future__ import annotations

import httpx

from tests.e2e.api import as_
from tests.e2e.conftest import sign_in


def test_a_watcher_sees_a_bid_appear_live(page, portal, shoot):
    sign_in(page, "clerk")
    page.goto("/auctions")
    page.locator("table a[href^='/auctions/']").first.click()
    status = page.locator("#room-connection")
    status.filter(has_text="实时连接已建立").wait_for(timeout=15_000)
    listing_id = page.url.rstrip("/").rsplit("/", 1)[1]
    before = page.locator("#room-bids li").count()
    board = httpx.get(f"{portal.url}/api/public/auctions/{listing_id}").json()
    with as_(portal, "developer") as developer:
        placed = developer.post(f"/api/auctions/{listing_id}/bids", json={"price": board["minimum_bid"]})
        assert placed.status_code == 201, placed.text
    seq = placed.json()["seq"]
    # No reload: the bid arrives over the websocket.
    page.locator(f'#room-bids li[data-seq="{seq}"]').wait_for(timeout=15_000)
    assert page.locator("#room-bids li").count() == before + 1
    assert page.locator("#room-price").inner_text().replace(",", "") == "¥" + board["minimum_bid"]
    shoot(page, "auction-room-live")
