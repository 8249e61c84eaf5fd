"""The listing board and the auction room as pages: anyone sees the board, a joined bidder bids
by form (errors beside the field), watchers get the bids listed."""

from __future__ import annotations

import re

from tests.bidding.auctions.kit import bid, land_sale
from tests.portal.helpers import HTML, post_form, sign_in


async def test_a_bidder_bids_by_form_and_the_room_lists_it(client, people, settings, clock):
    sale = await land_sale(client, people, settings, clock, "bidder_a", "bidder_b")
    assert (await bid(client, people, sale, "bidder_b", "96000000.00")).status_code == 201
    board = await client.get("/auctions", headers=HTML)
    assert board.status_code == 200 and f'href="/auctions/{sale.listing_id}"' in board.text
    assert "¥96,000,000.00" in board.text
    anonymous = await client.get(f"/auctions/{sale.listing_id}", headers=HTML)
    assert anonymous.status_code == 200
    assert "data-live-path" not in anonymous.text and 'id="room-bids"' not in anonymous.text  # nobody named
    await sign_in(client, "bidder_a")
    room = f"/auctions/{sale.listing_id}"
    too_low = await post_form(
        client, f"/portal/auctions/{sale.listing_id}/bids", {"price": "96500000.00"}, from_page=room
    )
    assert too_low.status_code == 400
    assert re.search(r'class="error form-error" role="alert">[^<]+<', too_low.text)
    placed = await post_form(
        client, f"/portal/auctions/{sale.listing_id}/bids", {"price": "97000000.00"}, from_page=room
    )
    assert placed.status_code == 303 and placed.headers["location"] == room
    page = await client.get(room, headers=HTML)
    assert f'data-live-path="/api/auctions/{sale.listing_id}/live"' in page.text
    assert "#2 · 竞买号" in page.text and "¥97000000.00" in page.text
    assert "¥97,000,000.00" in page.text  # the current price


async def test_only_bidders_may_bid_and_only_with_the_csrf_token(client, people, settings, clock):
    sale = await land_sale(client, people, settings, clock, "bidder_a")
    await sign_in(client, "clerk")
    refused = await post_form(
        client, f"/portal/auctions/{sale.listing_id}/bids", {"price": "97000000.00"}, from_page="/auctions"
    )
    assert refused.status_code == 403
    client.cookies.clear()
    await sign_in(client, "bidder_a")
    no_token = await client.post(
        f"/portal/auctions/{sale.listing_id}/bids", data={"price": "97000000.00"}, headers=HTML
    )
    assert no_token.status_code == 403
    assert (await client.get(f"/api/public/auctions/{sale.listing_id}")).json()["last_seq"] == 0
