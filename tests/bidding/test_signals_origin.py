"""Collusion signals from where files came from (address, device) and from the metadata inside
opened bid files, with the platform behind its reverse proxy as in production."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.bidding.documents import pdf_with
from tests.bidding.kit import pass_deadline, ready_section, release_all
from trading.app import create_app

PROXY = "10.0.0.5"


def user_of(authorization: bytes) -> str:
    """The user a bearer token names (its `sub`); the app checks the signature, not this."""
    if b"." not in authorization:
        return ""
    payload = authorization.split(b".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))["sub"]


class Internet:
    """Between the bidders and the platform's reverse proxy: each user works at one machine with
    its own address, which the proxy appends to X-Forwarded-For; a test may seat two users at one
    address."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.addresses: dict[str, str] = {}

    def address_of(self, people: Any, username: str) -> str:
        return self.addresses[str(people.user(username).id)]

    def seat(self, people: Any, username: str, address: str) -> None:
        self.addresses[str(people.user(username).id)] = address

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            user = user_of(dict(scope["headers"]).get(b"authorization", b""))
            address = self.addresses.setdefault(user, f"198.51.100.{len(self.addresses) + 1}")
            headers = [*scope["headers"], (b"x-forwarded-for", address.encode())]
            scope = {**scope, "client": (PROXY, 50000), "headers": headers}
        await self.app(scope, receive, send)


@pytest.fixture
def app(settings, clock):  # type: ignore[no-untyped-def]
    return create_app(settings.model_copy(update={"trusted_proxies": [PROXY]}), clock=clock)


@pytest.fixture
def internet(app):  # type: ignore[no-untyped-def]
    return Internet(app)


@pytest.fixture
async def client(internet):  # type: ignore[no-untyped-def]
    async with AsyncTestClient(app=internet) as test_client:
        yield test_client


async def signals(client: Any, people: Any, section_id: str) -> dict[str, list[dict]]:
    answer = await client.get(
        f"/api/bidding/sections/{section_id}/signals", headers=people.headers("zj_supervisor")
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, list[dict]] = {}
    for signal in answer.json():
        found.setdefault(signal["kind"], []).append(signal)
    return found


def names(signal: dict) -> set[str]:
    return {p["name"] for p in signal["organisations"]}


async def hand_in(client, people, kit, username, content, device=None):  # type: ignore[no-untyped-def]
    headers = {**people.headers(username), "Content-Type": "application/octet-stream"}
    headers |= {"X-Trading-Device": device} if device else {}
    path = kit.seal(
        username, {"bidder_a": "48000000.00", "bidder_b": "48300000.00"}.get(username, "49100000.00"), content
    )
    answer = await client.post(
        f"/api/bidding/sections/{kit.section_id}/bids", content=path.read_bytes(), headers=headers
    )
    assert answer.status_code == 201, answer.text


async def test_bids_from_one_address_and_one_device_are_signals_after_the_deadline(
    client, internet, people, settings, clock, tmp_path
):
    kit = await ready_section(client, people, settings, clock, tmp_path)
    # Each bidder registered and uploaded from its own machine: nothing shared so far.
    found = await signals(client, people, kit.section_id)
    assert not found.keys() & {"same_upload_address", "same_device"}

    # bidder_b hands its bid in from bidder_a's office, with the same installation of the tool;
    # bidder_c from its own machine, with a header no tool would write (ignored, not refused).
    internet.seat(people, "bidder_b", internet.address_of(people, "bidder_a"))
    created, one_save = "D:20261120093000+08'00'", "D:20261125180211+08'00'"
    await hand_in(
        client, people, kit, "bidder_a", pdf_with("张伟", title="华建 技术标"), device="inst-7f3a9c"
    )
    await hand_in(
        client,
        people,
        kit,
        "bidder_b",
        pdf_with("刘洋", title="宁安 技术标", modified="D:20261126080000+08'00'"),
        device="inst-7f3a9c",
    )
    await hand_in(
        client,
        people,
        kit,
        "bidder_c",
        pdf_with("张伟", title="锡城 技术标", created=created, modified=one_save),
        device="not a device id!",
    )
    # Before the deadline who has bid stays unsaid, to the oversight too (TL art. 22).
    found = await signals(client, people, kit.section_id)
    assert not found.keys() & {"same_upload_address", "same_device", "same_document_author"}

    await pass_deadline(clock, kit)
    found = await signals(client, people, kit.section_id)
    (address,) = found["same_upload_address"]
    assert names(address) == {"江苏华建建设集团有限公司", "南京宁安建工有限公司"}
    assert address["rule"] == "C-12"
    assert address["evidence"]["address"] == internet.address_of(people, "bidder_a")
    # The evidence names what came from there: bidder_a's upload and bid, bidder_b's bid.
    sources = {(s["organisation_id"], s["source"].split(" ", 2)[0]) for s in address["evidence"]["sources"]}
    builder_a, builder_b = str(people.org("builder_a").id), str(people.org("builder_b").id)
    assert sources == {(builder_a, "qualification"), (builder_a, "bid"), (builder_b, "bid")}
    (device,) = found["same_device"]
    assert names(device) == names(address)
    assert device["evidence"]["device"] == "inst-7f3a9c"
    # The sealed files are still unread: their metadata is not known before the opening.
    assert "same_document_author" not in found and "same_document_metadata" not in found

    url = f"/api/bidding/sections/{kit.section_id}/opening"
    assert (await client.post(url, json={}, headers=people.headers("clerk"))).status_code == 201
    await release_all(client, people, kit)
    assert (await client.post(f"{url}/unseal", headers=people.headers("clerk"))).status_code == 200
    found = await signals(client, people, kit.section_id)
    # bidder_a and bidder_c: one author, and one file saved once (the same tool and times);
    # bidder_b's file is its own.
    (author,) = found["same_document_author"]
    assert names(author) == {"江苏华建建设集团有限公司", "无锡锡城路桥工程有限公司"}
    assert {s["source"] for s in author["evidence"]["sources"]} == {"bid file 投标文件.pdf"}
    (metadata,) = found["same_document_metadata"]
    assert names(metadata) == names(author)
    assert metadata["evidence"]["metadata"] == (
        "WPS Office | created 2026-11-20T09:30:00+08:00 | modified 2026-11-25T18:02:11+08:00"
    )
