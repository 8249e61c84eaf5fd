"""Registration for a section (报名) and the qualification check: a bidder registers while the
section is open, uploads its documents, staff accept or reject; who registered stays confidential
until the opening."""

import asyncio
import datetime as dt
import hashlib
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bidding.registrations import rules
from bidding.registrations import service as registrations
from bidding.registrations.models import Registration
from tests.bidding.helpers import (
    CONTACT,
    accepted_bidder,
    open_section,
    plain_zip,
    register_bidder,
    small_jpeg,
    small_ofd,
    small_pdf,
    small_png,
    upload,
)
from tests.conftest import START
from tests.trading.factories import construction_project, open_as_the_opening_does
from tests.trading.test_projects import register
from trading.audit.models import AuditEvent
from trading.auth.identity import Identity
from trading.errors import DomainError
from trading.events import OutboxEvent
from trading.organisations.models import Organisation

MB = 1024 * 1024


async def registrations_in_db(db, section_id):
    async with db.session() as s:
        return list(
            (
                await s.scalars(select(Registration).where(Registration.section_id == uuid.UUID(section_id)))
            ).all()
        )


async def audit_actions(db, registration_id):
    async with db.session() as s:
        rows = await s.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_id == registration_id).order_by(AuditEvent.seq)
        )
        return list(rows.all())


async def listed_count(client, people, section_id):
    listed = await client.get(
        f"/api/bidding/sections/{section_id}/registrations", headers=people.headers("clerk")
    )
    return len(listed.json())


# --- the whole path -----------------------------------------------------------------------------


async def test_a_bidder_registers_uploads_its_licence_and_is_accepted(client, people, db):
    section_id = await open_section(client, people)

    registered = await register_bidder(client, people, section_id)
    assert registered.status_code == 201, registered.text
    registration = registered.json()
    assert registration["status"] == "submitted"
    assert registration["organisation_name"] == people.org("builder_a").name
    assert registration["subaccount_number"]  # the deposit sub-account to pay 20000.00 into

    pdf = small_pdf()
    uploaded = await upload(client, people, registration["id"], pdf)
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert document["media_type"] == "application/pdf"
    assert document["kind_zh"] == "营业执照"
    assert document["file_name"] == "营业执照.pdf"
    assert document["size"] == len(pdf)
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest()

    accepted = await client.post(
        f"/api/bidding/registrations/{registration['id']}/accept", headers=people.headers("clerk")
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"

    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    assert mine.status_code == 200
    [own] = mine.json()
    assert own["status"] == "accepted"
    assert own["status_zh"] == "审核通过"
    assert own["subaccount_number"] == registration["subaccount_number"]
    assert own["deposit"]["required"] == "20000.00"
    assert own["deposit"]["paid"] == "0.00"
    assert own["deposit"]["status"] == "unpaid"
    assert own["deposit"]["may_bid"] is False  # nothing paid yet
    assert [d["id"] for d in own["documents"]] == [document["id"]]

    downloaded = await client.get(
        f"/api/bidding/registrations/{registration['id']}/documents/{document['id']}",
        headers=people.headers("bidder_a"),
    )
    assert downloaded.status_code == 200
    assert downloaded.content == pdf
    assert downloaded.headers["content-type"] == "application/pdf"
    assert (
        "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf"
        in downloaded.headers["content-disposition"]
    )

    assert await audit_actions(db, registration["id"]) == [
        "registration.registered",
        "registration.document_uploaded",
        "registration.accepted",
    ]


async def test_the_documents_bytes_are_stored_under_their_digest(client, people, settings):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    pdf = small_pdf("stored by digest")
    document = (await upload(client, people, registration["id"], pdf)).json()
    digest = document["sha256"]
    stored = settings.data_dir / "blobs" / digest[:2] / digest[2:4] / digest
    assert stored.read_bytes() == pdf


async def test_staff_auditors_and_the_sectors_supervisor_may_download_a_document(client, people):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    document = (await upload(client, people, registration["id"], small_pdf())).json()
    url = f"/api/bidding/registrations/{registration['id']}/documents/{document['id']}"
    for reader in ("clerk", "auditor", "zj_supervisor"):
        response = await client.get(url, headers=people.headers(reader))
        assert response.status_code == 200, (reader, response.text)
        assert response.content == small_pdf()


async def test_images_and_ofd_packages_are_accepted_by_their_content(client, people):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    cases = [
        (small_png(), "资质证书.png", "image/png", "qualification_certificate"),
        (small_jpeg(), "安全生产许可证.jpeg", "image/jpeg", "safety_licence"),
        (small_ofd(), "财务报表.ofd", "application/ofd", "financial_statement"),
        # A PNG sent under a misleading name and declared type is still a PNG.
        (small_png(3, 3), "scan.pdf", "image/png", "other"),
    ]
    for content, name, expected, kind in cases:
        response = await upload(
            client, people, registration["id"], content, name=name, media_type="application/pdf", kind=kind
        )
        assert response.status_code == 201, response.text
        assert response.json()["media_type"] == expected
        assert response.json()["kind"] == kind


# --- refusals: when --------------------------------------------------------------------------------


async def test_registration_before_it_opens_is_refused(client, people):
    opens = START + dt.timedelta(days=2)
    section_id = await open_section(client, people, registration_start=opens.isoformat())
    response = await register_bidder(client, people, section_id)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "registration.not_open"
    assert "2026-03-04 09:00" in body["message"]["zh-CN"]
    assert await listed_count(client, people, section_id) == 0


async def test_a_draft_section_takes_no_registration(client, people):
    project = await register(client, people, construction_project(people))
    section_id = project.json()["sections"][0]["id"]
    response = await register_bidder(client, people, section_id)
    assert response.status_code == 409
    assert response.json()["code"] == "registration.not_open"


async def test_registration_after_the_bid_deadline_is_refused_citing_the_rule(client, people, clock):
    section_id = await open_section(client, people)
    clock.advance(dt.timedelta(days=25))  # the deadline is START + 25 days
    response = await register_bidder(client, people, section_id)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "registration.closed"
    assert body["rule"]["id"] == "E-03"
    assert "2026-03-27 09:00" in body["message"]["zh-CN"]


async def test_registration_after_the_sections_own_registration_end_is_refused(client, people, clock):
    ends = START + dt.timedelta(days=5)
    section_id = await open_section(client, people, registration_end=ends.isoformat())
    clock.advance(dt.timedelta(days=5))
    response = await register_bidder(client, people, section_id)
    assert response.status_code == 409
    assert response.json()["code"] == "registration.closed"
    assert response.json()["details"]["registration_end"] == ends.astimezone(dt.UTC).isoformat()


async def test_a_cancelled_section_takes_no_registration_and_no_withdrawal(client, people):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id, "bidder_a")).json()
    cancelled = await client.post(
        f"/api/sections/{section_id}/transitions",
        json={"action": "cancel", "reason": "项目资金来源调整"},
        headers=people.headers("clerk"),
    )
    assert cancelled.status_code == 200, cancelled.text
    late = await register_bidder(client, people, section_id, "bidder_b")
    withdrawal = await client.post(
        f"/api/bidding/registrations/{registration['id']}/withdraw", headers=people.headers("bidder_a")
    )
    for response in (late, withdrawal):
        assert response.status_code == 409
        assert response.json()["code"] == "registration.section_ended"
        assert "已终止" in response.json()["message"]["zh-CN"]


# --- refusals: who -------------------------------------------------------------------------------


async def test_only_bidders_register_and_only_staff_review(client, people):
    section_id = await open_section(client, people)
    for who in ("principal", "agency", "clerk"):
        response = await client.post(
            f"/api/bidding/sections/{section_id}/registrations", json=CONTACT, headers=people.headers(who)
        )
        assert response.status_code == 403, who
        assert response.json()["code"] == "auth.forbidden"
    registration = (await register_bidder(client, people, section_id)).json()
    for who in ("bidder_a", "principal", "zj_supervisor"):
        response = await client.post(
            f"/api/bidding/registrations/{registration['id']}/accept", headers=people.headers(who)
        )
        assert response.status_code == 403, who


async def test_the_principals_agency_may_not_bid_in_its_own_project(client, people, db, clock, settings):
    section_id = await open_section(client, people)
    agency = people.org("agency")
    async with db.session() as s:
        organisation = await s.get(Organisation, agency.id)
        organisation.capacities = ["agency", "bidder"]  # an agency that also bids elsewhere
        await s.commit()
    agent_as_bidder = Identity(
        user_id=people.user("agency").id,
        username="agency",
        display_name="卫代理",
        roles=frozenset({"bidder"}),
        organisation_id=agency.id,
    )
    async with db.session() as s:
        with pytest.raises(DomainError) as refused:
            await registrations.register(
                s,
                section_id=uuid.UUID(section_id),
                bidder=agent_as_bidder,
                at=clock.now(),
                zone=settings.zone,
                **CONTACT,
            )
    assert refused.value.code == "registration.own_project"
    assert refused.value.status == 403


async def test_another_bidders_registration_is_out_of_reach(client, people):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    document = (await upload(client, people, registration["id"], small_pdf())).json()
    base = f"/api/bidding/registrations/{registration['id']}"

    foreign_upload = await upload(client, people, registration["id"], small_pdf("forged"), as_="bidder_b")
    foreign_download = await client.get(
        f"{base}/documents/{document['id']}", headers=people.headers("bidder_b")
    )
    foreign_withdrawal = await client.post(f"{base}/withdraw", json={}, headers=people.headers("bidder_b"))
    other_sector = await client.get(
        f"{base}/documents/{document['id']}", headers=people.headers("cz_supervisor")
    )
    for response in (foreign_upload, foreign_download, foreign_withdrawal, other_sector):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "registration.not_found"

    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_b"))
    assert mine.json() == []
    own = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    assert [d["id"] for d in own.json()[0]["documents"]] == [document["id"]]
    assert own.json()[0]["status"] == "submitted"


async def test_a_document_of_another_registration_is_not_found_under_this_one(client, people):
    section_id = await open_section(client, people)
    first = (await register_bidder(client, people, section_id)).json()
    second = (await register_bidder(client, people, section_id, "bidder_b")).json()
    document = (await upload(client, people, second["id"], small_pdf(), as_="bidder_b")).json()
    response = await client.get(
        f"/api/bidding/registrations/{first['id']}/documents/{document['id']}",
        headers=people.headers("bidder_a"),
    )
    assert response.status_code == 404
    assert response.json()["code"] == "document.not_found"


# --- refusals: files -----------------------------------------------------------------------------


async def test_a_fake_pdf_is_refused_by_its_content_and_nothing_is_kept(client, people, settings):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    fake = b"MZ\x90\x00 this is an executable pretending to be a licence"
    response = await upload(client, people, registration["id"], fake, name="营业执照.pdf")
    assert response.status_code == 415
    body = response.json()
    assert body["code"] == "document.type_not_allowed"
    assert "营业执照.pdf" in body["message"]["zh-CN"]
    assert "application/pdf" in body["details"]["allowed"]
    blobs = settings.data_dir / "blobs"
    assert not blobs.exists() or [p for p in blobs.rglob("*") if p.is_file()] == []
    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    assert mine.json()[0]["documents"] == []


async def test_a_zip_that_is_not_an_ofd_package_is_refused(client, people):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    response = await upload(client, people, registration["id"], plain_zip(), name="资质.ofd")
    assert response.status_code == 415
    assert response.json()["code"] == "document.type_not_allowed"


async def test_a_file_over_twenty_megabytes_is_refused_with_413(client, people):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    limit = rules.MAX_DOCUMENT_BYTES
    exactly = await upload(client, people, registration["id"], b"%PDF-1.7\n" + b"0" * (limit - 9))
    assert exactly.status_code == 201, exactly.text
    assert exactly.json()["size"] == limit

    one_more = await upload(client, people, registration["id"], b"%PDF-1.7\n" + b"1" * (limit - 8))
    # Far over: Litestar itself stops reading the body at the route's limit.
    far_over = await upload(client, people, registration["id"], b"%PDF-1.7\n" + b"2" * (25 * MB))
    for response in (one_more, far_over):
        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["code"] == "document.too_large"
        assert "20MB" in body["message"]["zh-CN"]
        assert "20 MB" in body["message"]["en"]
    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    assert len(mine.json()[0]["documents"]) == 1


async def test_the_twenty_first_document_is_refused(client, people):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    for number in range(rules.MAX_DOCUMENTS):
        response = await upload(client, people, registration["id"], small_pdf(f"page {number}"))
        assert response.status_code == 201, response.text
    response = await upload(client, people, registration["id"], small_pdf("one too many"))
    assert response.status_code == 409
    assert response.json()["code"] == "document.too_many"
    assert response.json()["details"]["max_documents"] == 20


async def test_documents_cannot_change_once_the_registration_is_reviewed(client, people):
    section_id = await open_section(client, people)
    registration = await accepted_bidder(client, people, section_id)
    response = await upload(client, people, registration["id"], small_pdf("afterwards"))
    assert response.status_code == 409
    assert response.json()["code"] == "document.registration_reviewed"


# --- one place per bidder ------------------------------------------------------------------------


async def test_a_second_registration_of_the_same_bidder_is_refused(client, people):
    section_id = await open_section(client, people)
    first = await register_bidder(client, people, section_id)
    second = await register_bidder(client, people, section_id)
    assert second.status_code == 409
    assert second.json()["code"] == "registration.duplicate"
    assert second.json()["details"]["registration_id"] == first.json()["id"]


async def test_a_rejected_bidder_learns_why_and_may_register_again(client, people, db):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    await upload(client, people, registration["id"], small_pdf("expired licence"))
    url = f"/api/bidding/registrations/{registration['id']}/reject"

    no_reason = await client.post(url, json={"reason": "  "}, headers=people.headers("clerk"))
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "registration.reason_required"

    rejected = await client.post(url, json={"reason": "营业执照已过有效期"}, headers=people.headers("clerk"))
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    assert mine.json()[0]["reason"] == "营业执照已过有效期"

    again = await register_bidder(client, people, section_id)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != registration["id"]
    assert again.json()["subaccount_number"] == registration["subaccount_number"]
    twice = await client.post(url, json={"reason": "再次驳回"}, headers=people.headers("clerk"))
    assert twice.status_code == 409
    assert twice.json()["code"] == "registration.transition_refused"
    assert await audit_actions(db, registration["id"]) == [
        "registration.registered",
        "registration.document_uploaded",
        "registration.rejected",
    ]


async def test_a_registration_without_documents_cannot_be_accepted(client, people):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    response = await client.post(
        f"/api/bidding/registrations/{registration['id']}/accept", headers=people.headers("clerk")
    )
    assert response.status_code == 422
    assert response.json()["code"] == "registration.no_documents"


async def test_reviews_end_at_the_bid_deadline(client, people, clock):
    section_id = await open_section(client, people)
    registration = (await register_bidder(client, people, section_id)).json()
    await upload(client, people, registration["id"], small_pdf())
    clock.advance(dt.timedelta(days=26))
    response = await client.post(
        f"/api/bidding/registrations/{registration['id']}/accept", headers=people.headers("clerk")
    )
    assert response.status_code == 409
    assert response.json()["code"] == "registration.review_closed"


async def test_concurrent_registrations_of_one_bidder_leave_exactly_one(client, people, db, clock, settings):
    section_id = await open_section(client, people)
    bidder = people.cast.identity("bidder_a")

    async def attempt():
        async with db.session() as session:
            try:
                await registrations.register(
                    session,
                    section_id=uuid.UUID(section_id),
                    bidder=bidder,
                    at=clock.now(),
                    zone=settings.zone,
                    **CONTACT,
                )
                await session.commit()
                return "registered"
            except DomainError as error:
                return error.code

    outcomes = await asyncio.gather(*(attempt() for _ in range(4)))
    assert sorted(outcomes) == ["registered", *["registration.duplicate"] * 3]
    assert len(await registrations_in_db(db, section_id)) == 1


# --- confidentiality -------------------------------------------------------------------------------


async def test_before_the_opening_only_the_center_and_oversight_see_who_registered(client, people, clock):
    section_id = await open_section(client, people)
    await register_bidder(client, people, section_id, "bidder_a")
    await register_bidder(client, people, section_id, "bidder_b")
    url = f"/api/bidding/sections/{section_id}/registrations"

    for who in ("clerk", "auditor", "zj_supervisor"):
        listed = await client.get(url, headers=people.headers(who))
        assert listed.status_code == 200, who
        assert sorted(r["organisation_name"] for r in listed.json()) == sorted(
            [people.org("builder_a").name, people.org("builder_b").name]
        )
    for who in ("principal", "agency"):
        refused = await client.get(url, headers=people.headers(who))
        assert refused.status_code == 403, who
        assert refused.json()["code"] == "registration.list_confidential"
        assert "builder" not in refused.text and people.org("builder_a").name not in refused.text
    for who in ("bidder_a", "bidder_c"):
        assert (await client.get(url, headers=people.headers(who))).status_code == 403
    # A supervisor of another sector does not even learn the section exists.
    assert (await client.get(url, headers=people.headers("cz_supervisor"))).status_code == 404
    # The other bidder's own list shows only its own registration, never a count of the others.
    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_b"))
    assert [r["organisation_name"] for r in mine.json()] == [people.org("builder_b").name]

    # Past the deadline, still before the opening: still confidential.
    clock.advance(dt.timedelta(days=25, minutes=1))
    assert (await client.get(url, headers=people.headers("principal"))).status_code == 403
    await open_as_the_opening_does(people, section_id, clock.now())
    for who in ("principal", "agency"):
        listed = await client.get(url, headers=people.headers(who))
        assert listed.status_code == 200, who
        assert len(listed.json()) == 2


async def test_a_principal_of_another_project_does_not_learn_the_section_exists(client, people):
    section_id = await open_section(client, people)
    response = await client.get(
        f"/api/bidding/sections/{section_id}/registrations", headers=people.headers("hospital")
    )
    assert response.status_code == 404


# --- withdrawal ------------------------------------------------------------------------------------


async def test_a_written_withdrawal_publishes_the_event_funds_refunds_on(client, people, db):
    section_id = await open_section(client, people)
    registration = await accepted_bidder(client, people, section_id)
    withdrawn = await client.post(
        f"/api/bidding/registrations/{registration['id']}/withdraw",
        json={"reason": "经研究决定放弃本次投标"},
        headers=people.headers("bidder_a"),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["reason"] == "经研究决定放弃本次投标"

    async with db.session() as s:
        events = list(
            (await s.scalars(select(OutboxEvent).where(OutboxEvent.name == "registration.withdrawn"))).all()
        )
    [event] = events
    assert event.payload["section_id"] == section_id
    assert event.payload["organisation_id"] == str(people.org("builder_a").id)
    assert dt.datetime.fromisoformat(event.payload["at"]) == START
    assert (await audit_actions(db, registration["id"]))[-1] == "registration.withdrawn"

    again = await client.post(
        f"/api/bidding/registrations/{registration['id']}/withdraw",
        json={},
        headers=people.headers("bidder_a"),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "registration.transition_refused"


async def test_after_the_deadline_a_withdrawal_is_refused(client, people, clock, db):
    section_id = await open_section(client, people)
    registration = await accepted_bidder(client, people, section_id)
    clock.advance(dt.timedelta(days=25))
    response = await client.post(
        f"/api/bidding/registrations/{registration['id']}/withdraw",
        json={},
        headers=people.headers("bidder_a"),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "registration.deadline_passed"
    assert response.json()["rule"]["id"] == "E-03"
    async with db.session() as s:
        assert (
            await s.scalars(select(OutboxEvent).where(OutboxEvent.name == "registration.withdrawn"))
        ).all() == []


# --- the contract with submissions and the opening -----------------------------------------------


async def test_only_an_accepted_live_registration_qualifies(client, people, db):
    section_id = await open_section(client, people)
    accepted = await accepted_bidder(client, people, section_id, "bidder_a")
    pending = (await register_bidder(client, people, section_id, "bidder_b")).json()
    section = uuid.UUID(section_id)

    async with db.session() as s:
        qualified = await registrations.qualified_registration(
            s, section_id=section, organisation_id=people.org("builder_a").id
        )
        assert qualified is not None and str(qualified.id) == accepted["id"]
        assert (
            await registrations.qualified_registration(
                s, section_id=section, organisation_id=people.org("builder_b").id
            )
            is None
        )
        assert {str(r.id) for r in await registrations.registrations_of_section(s, section)} == {
            accepted["id"],
            pending["id"],
        }

    # A withdrawal needs no body: the request itself is the written notice.
    withdrawn = await client.post(
        f"/api/bidding/registrations/{accepted['id']}/withdraw", headers=people.headers("bidder_a")
    )
    assert withdrawn.status_code == 200, withdrawn.text
    async with db.session() as s:
        assert (
            await registrations.qualified_registration(
                s, section_id=section, organisation_id=people.org("builder_a").id
            )
            is None
        )


async def test_a_section_without_deposit_opens_no_subaccount(client, people, db):
    section_id = await open_section(client, people, deposit="0.00")
    registration = (await register_bidder(client, people, section_id)).json()
    assert registration["subaccount_number"] is None
    mine = await client.get("/api/bidding/registrations/mine", headers=people.headers("bidder_a"))
    assert mine.json()[0]["deposit"]["status"] == "not_required"
    assert mine.json()[0]["deposit"]["may_bid"] is True


# --- pure rules ----------------------------------------------------------------------------------


def test_the_status_machine_only_moves_along_its_table():
    assert rules.move("submitted", "accept") == "accepted"
    assert rules.move("accepted", "withdraw") == "withdrawn"
    for status in ("rejected", "withdrawn"):
        for action in ("accept", "reject", "withdraw"):
            with pytest.raises(DomainError) as refused:
                rules.move(status, action)
            assert refused.value.code == "registration.transition_refused"
            assert refused.value.details["allowed"] == []
    with pytest.raises(DomainError):
        rules.move("accepted", "accept")


@given(st.text(max_size=400))
def test_a_kept_file_name_never_names_a_directory_or_breaks_a_header(name):
    kept = rules.clean_file_name(name, rules.PDF)
    assert kept
    assert len(kept) <= 200
    assert not set(kept) & set('/\\"<>|:*?')
    assert all(c.isprintable() for c in kept)
    assert not kept.startswith(".")


def test_file_types_are_told_by_their_first_bytes():
    assert rules.sniff_media_type(small_pdf()) == rules.PDF
    assert rules.sniff_media_type(small_png()) == rules.PNG
    assert rules.sniff_media_type(small_jpeg()) == rules.JPEG
    assert rules.sniff_media_type(b"GIF89a......") is None
    assert rules.sniff_media_type(b"") is None
