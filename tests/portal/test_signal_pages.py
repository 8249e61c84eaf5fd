"""Collusion signals in the supervisors' portal (/portal/supervision/signals): the sections with
signals, reached from the overview, and a section's signals with their evidence (the bidders, the
shared fact, the files it was read from), the same as the API's; a bureau sees its own sectors."""

from __future__ import annotations

import html

import pytest

from tests.bidding.helpers import CONTACT, accepted_bidder, open_section
from tests.portal.helpers import HTML, sign_in


async def two_bidders_one_contact(client, people) -> str:
    """bidder_a and bidder_b register with one contact and upload the same licence file."""
    section_id = await open_section(client, people)
    for bidder in ("bidder_a", "bidder_b"):
        await accepted_bidder(client, people, section_id, bidder)
    return section_id


async def api_signals(client, people, section_id: str) -> list[dict]:
    response = await client.get(
        f"/api/bidding/sections/{section_id}/signals", headers=people.headers("zj_supervisor")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_supervisor_goes_from_the_overview_to_a_sections_signals_and_their_evidence(client, people):
    section_id = await two_bidders_one_contact(client, people)
    quiet = await open_section(client, people)
    await accepted_bidder(client, people, quiet, "bidder_a")  # one bidder: nothing to compare
    expected = await api_signals(client, people, section_id)
    assert {s["kind"] for s in expected} >= {"same_contact", "same_document", "same_upload_address"}

    await sign_in(client, "zj_supervisor")
    overview = await client.get("/portal/supervision", headers=HTML)
    assert 'href="/portal/supervision/signals"' in overview.text
    listed = await client.get("/portal/supervision/signals", headers=HTML)
    assert listed.status_code == 200
    assert f'href="/portal/supervision/signals/{section_id}"' in listed.text
    assert f'href="/portal/supervision/signals/{quiet}"' not in listed.text
    assert f"<strong>{len(expected)}</strong>" in listed.text and "委托同一联系人办理投标事宜" in listed.text

    shown = await client.get(f"/portal/supervision/signals/{section_id}", headers=HTML)
    assert shown.status_code == 200
    text = html.unescape(shown.text)
    for signal in expected:
        assert signal["message"]["zh-CN"] in text
        for party in signal["organisations"]:
            assert party["name"] in text
    assert CONTACT["contact_phone"] in text and "C-12" in text
    # The source rows: each bidder's uploaded file that carried the shared address.
    assert text.count("qualification document 营业执照.pdf") >= 2

    english = await client.get("/lang/en", headers=HTML)
    assert english.status_code in (302, 303)
    in_english = await client.get(f"/portal/supervision/signals/{section_id}", headers=HTML)
    shown_en = html.unescape(in_english.text)
    assert "the same contact handles their bids" in shown_en and "Contact phone or email" in shown_en


async def test_another_bureau_neither_lists_nor_opens_the_section(client, people):
    section_id = await two_bidders_one_contact(client, people)
    await sign_in(client, "cz_supervisor")
    listed = await client.get("/portal/supervision/signals", headers=HTML)
    assert listed.status_code == 200 and section_id not in listed.text
    hidden = await client.get(f"/portal/supervision/signals/{section_id}", headers=HTML)
    assert hidden.status_code == 404


@pytest.mark.parametrize("who", ["auditor", "clerk"])
async def test_the_center_and_the_auditors_read_the_signals(client, people, who):
    section_id = await two_bidders_one_contact(client, people)
    await sign_in(client, who)
    for path in ("/portal/supervision/signals", f"/portal/supervision/signals/{section_id}"):
        answer = await client.get(path, headers=HTML)
        assert answer.status_code == 200, (who, path, answer.text[:300])


async def test_anonymous_browsers_are_sent_to_log_in_and_bidders_refused(client, people):
    section_id = await open_section(client, people)
    for path in ("/portal/supervision/signals", f"/portal/supervision/signals/{section_id}"):
        anonymous = await client.get(path, headers=HTML)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    await sign_in(client, "bidder_a")
    for path in ("/portal/supervision/signals", f"/portal/supervision/signals/{section_id}"):
        assert (await client.get(path, headers=HTML)).status_code == 403
