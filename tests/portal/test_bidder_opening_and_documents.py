"""The bidder follows the opening live in the browser (the page's live part, polled by htmx, is
empty until an event is committed), confirms the record or objects with a reason; uploads
qualification documents by form, within the limit, and sees the SHA-256 of what was stored."""

from __future__ import annotations

import hashlib
import re

from bidding.registrations import rules as registration_rules
from tests.bidding.helpers import open_section, register_bidder, small_pdf
from tests.experts.helpers import opened_section
from tests.experts.test_construction_scenario import PRICES
from tests.portal.helpers import HTML, csrf_token, sign_in


def alert(page: str, field: str) -> str:
    found = re.search(rf'id="e-{re.escape(field)}" role="alert">([^<]*)<', page)
    assert found, f"no error slot for {field}"
    return found.group(1)


async def test_a_bidder_follows_the_opening_live_and_answers_the_record(
    client, people, settings, clock, tmp_path
):
    kit = await opened_section(client, people, settings, clock, tmp_path, PRICES)
    sid = kit.section_id
    page_url = f"/portal/bidder/sections/{sid}/opening"
    await sign_in(client, "bidder_a")

    page = await client.get(page_url, headers=HTML)
    assert page.status_code == 200
    last = int(re.search(r'data-last-event="(\d+)"', page.text).group(1))
    assert f'hx-get="{page_url}/live?after={last}"' in page.text and 'hx-trigger="every 2s"' in page.text
    for name in ("builder_a", "builder_b", "builder_c"):
        assert people.org(name).name in page.text  # each bid read out, in the table and the log
    assert "开标开始" in page.text and "开标记录已签署" in page.text
    assert "¥48,000,000.00" in page.text

    # Nothing new: the poll answers 204 and the page stays as it is.
    assert (await client.get(f"{page_url}/live?after={last}", headers=HTML)).status_code == 204
    # A poll from before the record was signed gets the part again and the page is reloaded,
    # for the answer form to appear.
    behind = await client.get(f"{page_url}/live?after=1", headers=HTML)
    assert behind.status_code == 200 and behind.headers.get("hx-refresh") == "true"
    assert f'hx-get="{page_url}/live?after={last}"' in behind.text

    # An objection needs its reason, beside the reason field; nothing is recorded.
    action = f"{page_url}/answer"
    token = await csrf_token(client, page_url)
    no_reason = await client.post(
        action, data={"decision": "object", "comment": " ", "_csrf_token": token}, headers=HTML
    )
    assert no_reason.status_code == 422 and "理由" in alert(no_reason.text, "comment")
    api = f"/api/bidding/sections/{sid}/opening"
    assert (await client.get(api, headers=people.headers("clerk"))).json()["answers"] == []
    no_csrf = await client.post(action, data={"decision": "confirm"}, headers=HTML)
    assert no_csrf.status_code == 403

    objected = await client.post(
        action,
        data={"decision": "object", "comment": "唱标工期与投标文件不符", "_csrf_token": token},
        headers=HTML,
    )
    assert objected.status_code == 303
    answers = (await client.get(api, headers=people.headers("clerk"))).json()["answers"]
    assert [(a["decision"], a["comment"]) for a in answers] == [("object", "唱标工期与投标文件不符")]
    # The answer is an event: a follower polling from the last one gets it.
    after = await client.get(f"{page_url}/live?after={last}", headers=HTML)
    assert after.status_code == 200 and "对开标记录提出异议" in after.text
    assert "hx-refresh" not in after.headers
    answered = await client.get(page_url, headers=HTML)
    assert "贵单位已提出异议" in answered.text and f'action="{action}"' not in answered.text


async def test_the_opening_page_before_it_starts_and_who_may_see_it(
    client, people, settings, clock, tmp_path
):
    from tests.bidding.kit import ready_section, submit

    kit = await ready_section(client, people, settings, clock, tmp_path, bidders=("bidder_a", "bidder_b"))
    assert (
        await submit(client, people, kit, "bidder_a", kit.seal("bidder_a", "48000000.00"))
    ).status_code == 201
    page_url = f"/portal/bidder/sections/{kit.section_id}/opening"

    anonymous = await client.get(page_url, headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    await sign_in(client, "clerk")
    assert (await client.get(page_url, headers=HTML)).status_code == 403
    await sign_in(client, "bidder_b")  # registered, but no bid: not a participant (E-04)
    assert (await client.get(page_url, headers=HTML)).status_code == 404
    assert (await client.get(f"{page_url}/live?after=0", headers=HTML)).status_code == 404

    await sign_in(client, "bidder_a")
    waiting = await client.get(page_url, headers=HTML)
    assert waiting.status_code == 200 and "尚未开标" in waiting.text
    assert (await client.get(f"{page_url}/live?after=0", headers=HTML)).status_code == 204
    early = await client.post(
        f"{page_url}/answer",
        data={"decision": "confirm", "_csrf_token": await csrf_token(client, page_url)},
        headers=HTML,
    )
    assert early.status_code == 409 and "开标尚未开始" in early.text and "form-error" in early.text


async def test_a_bidder_uploads_qualification_documents_and_sees_their_sha256(client, people):
    section_id = await open_section(client, people)
    registered = await register_bidder(client, people, section_id, "bidder_a")
    assert registered.status_code == 201, registered.text
    rid = registered.json()["id"]
    page_url = f"/portal/bidder/registrations/{rid}/documents"
    await sign_in(client, "bidder_a")

    workspace = await client.get("/portal/bidder", headers=HTML)
    assert f'href="{page_url}"' in workspace.text
    page = await client.get(page_url, headers=HTML)
    assert page.status_code == 200 and "20 MB" in page.text
    assert f'data-max-bytes="{registration_rules.MAX_DOCUMENT_BYTES}"' in page.text
    token = await csrf_token(client, page_url)

    # Not a PDF, JPEG, PNG or OFD: refused beside the file; nothing stored.
    wrong = await client.post(
        page_url,
        data={"kind": "business_licence", "_csrf_token": token},
        files={"file": ("营业执照.pdf", b"just text", "application/pdf")},
        headers=HTML,
    )
    assert wrong.status_code == 415 and "PDF" in alert(wrong.text, "file")
    no_kind = await client.post(
        page_url,
        data={"kind": "passport", "_csrf_token": token},
        files={"file": ("营业执照.pdf", small_pdf(), "application/pdf")},
        headers=HTML,
    )
    assert no_kind.status_code == 422 and alert(no_kind.text, "kind")
    over = await client.post(
        page_url,
        data={"kind": "other", "_csrf_token": token},
        files={
            "file": ("big.pdf", b"%PDF-" + b"0" * registration_rules.MAX_DOCUMENT_BYTES, "application/pdf")
        },
        headers={"Accept": "application/json"},
    )
    assert over.status_code == 413 and over.json()["code"] == "document.too_large"
    without_csrf = await client.post(
        page_url,
        data={"kind": "other"},
        files={"file": ("a.pdf", small_pdf(), "application/pdf")},
        headers=HTML,
    )
    assert without_csrf.status_code == 403
    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    assert mine.json()[0]["documents"] == []

    # A browser without the script: the form post, then the page with the stored file's digest.
    content = small_pdf("营业执照副本")
    stored = await client.post(
        page_url,
        data={"kind": "business_licence", "_csrf_token": token},
        files={"file": ("营业执照.pdf", content, "application/pdf")},
        headers=HTML,
    )
    assert stored.status_code == 303 and stored.headers["location"].startswith(f"{page_url}#doc-")
    # portal.js asks for JSON: the document and the page to show it on.
    sent = await client.post(
        page_url,
        data={"kind": "financial_statement", "_csrf_token": token},
        files={"file": ("财务报表.pdf", small_pdf("2025"), "application/pdf")},
        headers={"Accept": "application/json", "x-csrftoken": token},
    )
    assert sent.status_code == 201 and sent.json()["page"].startswith(f"{page_url}#doc-")
    documents = (
        await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    ).json()[0]["documents"]
    assert [d["kind"] for d in documents] == ["business_licence", "financial_statement"]
    digest = hashlib.sha256(content).hexdigest()
    assert documents[0]["sha256"] == digest
    listed = await client.get(page_url, headers=HTML)
    assert f'data-sha256="{digest}"' in listed.text and "营业执照.pdf" in listed.text
    download = await client.get(f"{page_url}/{documents[0]['id']}")
    assert download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == digest


async def test_only_the_registering_bidder_opens_its_documents(client, people):
    section_id = await open_section(client, people)
    rid = (await register_bidder(client, people, section_id, "bidder_a")).json()["id"]
    page_url = f"/portal/bidder/registrations/{rid}/documents"
    anonymous = await client.get(page_url, headers=HTML)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    await sign_in(client, "clerk")
    assert (await client.get(page_url, headers=HTML)).status_code == 403
    await sign_in(client, "bidder_b")
    assert (await client.get(page_url, headers=HTML)).status_code == 404
