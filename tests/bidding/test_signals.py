"""Collusion signals: each with a planted case and a clean case, then the section's signals over
HTTP after a real opening, scoped to the sector's supervisors."""

import uuid
import zipfile

from sqlalchemy import update

from bidding.signals.metadata import DocumentMetadata, read_metadata
from bidding.signals.rules import Trace, control, document_traces, price_patterns, shared
from tests.bidding.documents import docx_with, ofd_with, pdf_with
from tests.bidding.helpers import open_section as open_bidding_section
from tests.bidding.helpers import register_bidder, upload
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
    # The kit registers every bidder with one contact and one licence file and names one manager;
    # the test client reaches the app from one address.
    assert found == {
        "same_upload_address": 3,
        "same_contact": 3,
        "same_document": 3,
        "same_bid_file": 2,
        "same_project_manager": 3,
        "equal_price_steps": 3,
    }


# --- document metadata (C-12 (一): files prepared by one unit or person) -------------------------


def test_the_metadata_inside_pdf_office_and_ofd_files_is_read_and_other_files_have_none(tmp_path):
    files = {
        "a.pdf": pdf_with("张伟"),
        "b.docx": docx_with("张伟", "李娜", "2026-11-20T01:30:00Z", "2026-11-25T10:02:11Z"),
        "c.ofd": ofd_with("张伟"),
        "d.png": b"\x89PNG\r\n\x1a\n",
        "e.pdf": b"%PDF-1.4 cut short",
        "f.docx": b"PK\x03\x04 not a zip",
    }
    found = {}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        found[name] = read_metadata(tmp_path / name)
    assert found["a.pdf"] == DocumentMetadata(
        author="张伟",
        creator_tool="WPS Office",
        created="2026-11-20T09:30:00+08:00",
        modified="2026-11-25T18:02:11+08:00",
    )
    assert found["b.docx"] == DocumentMetadata(
        author="张伟",
        last_modified_by="李娜",
        creator_tool="Microsoft Office Word 16.0000",
        created="2026-11-20T01:30:00Z",
        modified="2026-11-25T10:02:11Z",
    )
    assert (found["c.ofd"].author, found["c.ofd"].creator_tool) == ("张伟", "数科OFD版式办公套件 3.0")
    assert found["d.png"] is found["e.pdf"] is found["f.docx"] is None


def test_an_xml_part_with_a_doctype_is_not_parsed(tmp_path):
    core = (
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<cp:coreProperties xmlns:cp="urn:cp" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:creator>&b;</dc:creator></cp:coreProperties>"
    )
    with zipfile.ZipFile(tmp_path / "entities.docx", "w") as package:
        package.writestr("docProps/core.xml", core)
    with zipfile.ZipFile(tmp_path / "plain.docx", "w") as package:
        package.writestr("docProps/core.xml", core.split("]>", 1)[1].replace("&b;", "张伟"))
    assert read_metadata(tmp_path / "entities.docx") is None
    assert read_metadata(tmp_path / "plain.docx") == DocumentMetadata(author="张伟")


def test_a_shared_author_is_a_signal_a_default_author_and_different_authors_are_not():
    def traces(organisation, author, editor=None):
        metadata = DocumentMetadata(author=author, last_modified_by=editor)
        return document_traces(organisation, f"{organisation}.pdf", metadata)["same_document_author"]

    (planted,) = shared("same_document_author", traces(A, "张伟") + traces(B, "李娜", "张 伟"))
    assert (planted.kind, planted.rule, planted.organisations) == ("same_document_author", "C-12", (A, B))
    assert planted.evidence["sources"] == [
        {"organisation_id": str(A), "source": f"{A}.pdf"},
        {"organisation_id": str(B), "source": f"{B}.pdf"},
    ]
    assert shared("same_document_author", traces(A, "Administrator") + traces(B, "administrator")) == []
    assert shared("same_document_author", traces(A, "张伟") + traces(B, "李娜")) == []


def test_the_same_tool_and_times_are_a_signal_a_shared_creation_time_alone_is_not():
    def traces(organisation, created, modified, tool="WPS Office"):
        metadata = DocumentMetadata(creator_tool=tool, created=created, modified=modified)
        return document_traces(organisation, "技术标.pdf", metadata)["same_document_metadata"]

    one_save = traces(A, "2026-11-20T09:30", "2026-11-25T18:02") + traces(
        B, "2026-11-20T09:30", "2026-11-25T18:02"
    )
    (planted,) = shared("same_document_metadata", one_save)
    assert planted.organisations == (A, B)
    assert planted.evidence["metadata"] == "WPS Office | created 2026-11-20T09:30 | modified 2026-11-25T18:02"
    # One template handed out with the tender documents: the same creation, each bidder's own save.
    template = traces(A, "2026-11-20T09:30", "2026-11-25T18:02") + traces(
        B, "2026-11-20T09:30", "2026-11-26T08:00"
    )
    assert shared("same_document_metadata", template) == []
    assert traces(A, "2026-11-20T09:30", None) == []


async def test_qualification_documents_by_one_author_are_a_signal_in_any_file_type(client, people):
    section_id = await open_bidding_section(client, people)
    clean_id = await open_bidding_section(client, people)
    later = "D:20261126080000+08'00'"
    for bidder, planted, clean in (
        ("bidder_a", pdf_with("张伟", title="营业执照 华建"), pdf_with("张伟", title="营业执照 华建")),
        ("bidder_b", ofd_with("张伟"), pdf_with("刘洋", title="营业执照 宁安", created=None)),
        (
            "bidder_c",
            pdf_with("Administrator", title="营业执照 锡城", modified=later),
            pdf_with("Administrator", title="锡城", modified=later),
        ),
    ):
        for section, content, name in ((section_id, planted, "营业执照"), (clean_id, clean, "营业执照")):
            registered = await register_bidder(client, people, section, bidder)
            assert registered.status_code == 201, registered.text
            media = "application/ofd" if content.startswith(b"PK") else "application/pdf"
            suffix = ".ofd" if media == "application/ofd" else ".pdf"
            uploaded = await upload(
                client,
                people,
                registered.json()["id"],
                content,
                name=name + suffix,
                media_type=media,
                as_=bidder,
            )
            assert uploaded.status_code == 201, uploaded.text
    found = {s["kind"]: s for s in await signals(client, people, section_id)}
    author = found["same_document_author"]
    assert {p["name"] for p in author["organisations"]} == {
        "江苏华建建设集团有限公司",
        "南京宁安建工有限公司",
    }
    assert author["evidence"]["author"] == "张伟"
    assert {s["source"] for s in author["evidence"]["sources"]} == {
        "qualification document 营业执照.pdf",
        "qualification document 营业执照.ofd",
    }
    assert author["message"]["en"] == "their files name the same author or last editor in their properties"
    clean = {s["kind"] for s in await signals(client, people, clean_id)}
    assert not clean & {"same_document_author", "same_document_metadata"}


# --- control (C-18) ------------------------------------------------------------------------------


def test_a_bidder_controlling_another_directly_or_through_a_unit_between_is_a_signal():
    parent, middle = uuid.UUID(int=10), uuid.UUID(int=11)
    names = {A: "甲", B: "乙", C: "丙", parent: "控股集团", middle: "中间公司"}
    (direct,) = control([A, B, C], {B: A}, names)
    assert (direct.kind, direct.rule, direct.organisations) == ("controlled_bidder", "C-18", (A, B))
    assert direct.evidence == {"controller": "甲", "controlled": "乙", "levels": 1}
    (chain,) = control([A, C], {C: middle, middle: A}, names)
    assert chain.evidence == {"controller": "甲", "controlled": "丙", "levels": 2}
    (sibling,) = control([A, B, C], {A: parent, B: middle, middle: parent}, names)
    assert (sibling.kind, sibling.organisations, sibling.evidence["controller"]) == (
        "common_controller",
        (A, B),
        "控股集团",
    )
    assert control([A, B, C], {A: parent, B: middle}, names) == []  # unrelated holdings
    assert control([A, B], {A: B, B: A}, names)[0].kind == "controlled_bidder"  # a cycle ends the walk


async def test_bidders_under_one_control_are_signals_on_the_section(client, people, db):
    section_id = await open_bidding_section(client, people)
    for bidder in ("bidder_a", "bidder_b", "bidder_c"):
        assert (await register_bidder(client, people, section_id, bidder)).status_code == 201
    assert not {s["kind"] for s in await signals(client, people, section_id)} & {
        "controlled_bidder",
        "common_controller",
    }
    # The control is recorded after they registered (or registration would have refused it, C-18).
    async with db.session() as session:
        for org, controller in (
            ("builder_b", "builder_a"),
            ("builder_c", "state_holding"),
            ("builder_a", "state_holding"),
        ):
            await session.execute(
                update(Organisation)
                .where(Organisation.id == people.org(org).id)
                .values(controlled_by_id=people.org(controller).id)
            )
        await session.commit()
    found = {
        (s["kind"], frozenset(p["name"] for p in s["organisations"])): s
        for s in await signals(client, people, section_id)
    }
    controlled = found[("controlled_bidder", frozenset({"江苏华建建设集团有限公司", "南京宁安建工有限公司"}))]
    assert controlled["rule"] == "C-18"
    assert controlled["evidence"]["controller"] == "江苏华建建设集团有限公司"
    # builder_b is held through builder_a, so all three sit under the state holding company; the
    # pair already related directly is named once, as controlled.
    commons = {names for kind, names in found if kind == "common_controller"}
    assert commons == {
        frozenset({"江苏华建建设集团有限公司", "无锡锡城路桥工程有限公司"}),
        frozenset({"南京宁安建工有限公司", "无锡锡城路桥工程有限公司"}),
    }
