"""The supervision log: the sector's supervisors write, nobody edits or hides, verify finds a hand edit."""

import base64

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.trading.oversight.helpers import call, opening_session

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def entry(client, people, session_id, who="zj_supervisor", status=201, **body):
    body = {"kind": "observation", "body": "开标前检查投标文件递交情况，未见异常", **body}
    return await call(
        client, "POST", f"/api/supervision/sessions/{session_id}/entries", who, people, body, status
    )


async def test_the_sectors_supervisor_writes_signed_entries_others_cannot(client, people, clock):
    _, _, session_id = await opening_session(client, people, clock)
    first = await entry(client, people, session_id)
    assert (first["seq"], first["author_name"]) == (1, "周监督（住建局）")
    # Staff may not write the log at all; another bureau's supervisor does not see the session.
    await entry(client, people, session_id, who="clerk", status=403)
    await entry(client, people, session_id, who="cz_supervisor", status=404)
    # The signature checks with the published key, outside the platform.
    key = await call(client, "GET", "/api/supervision/key", "auditor", people)
    load_pem_public_key(key["public_key_pem"].encode()).verify(
        base64.b64decode(first["signature"]), first["digest"].encode()
    )
    # Each entry's digest is in the audit chain.
    (event,) = await call(client, "GET", "/api/audit/events?subject_id=" + first["id"], "auditor", people)
    assert (event["action"], event["data"]["digest"]) == ("supervision.entry_added", first["digest"])


async def test_a_correction_is_a_new_entry_naming_the_corrected_one(client, people, clock):
    _, _, session_id = await opening_session(client, people, clock)
    wrong = await entry(client, people, session_id, kind="incident", body="3号投标人未到场")
    fixed = await entry(
        client,
        people,
        session_id,
        kind="correction",
        body="3号投标人在线参加，非未到场",
        corrects_id=wrong["id"],
    )
    assert fixed["corrects_id"] == wrong["id"]
    unnamed = await entry(client, people, session_id, kind="correction", body="更正", status=422)
    assert unnamed["code"] == "supervision.correction_target"
    stray = await entry(
        client, people, session_id, kind="observation", body="x", corrects_id=wrong["id"], status=422
    )
    assert stray["code"] == "supervision.correction_target"
    log = await call(client, "GET", f"/api/supervision/sessions/{session_id}/entries", "clerk", people)
    assert [(e["seq"], e["kind"], e["body"]) for e in log] == [
        (1, "incident", "3号投标人未到场"),
        (2, "correction", "3号投标人在线参加，非未到场"),
    ]


async def test_the_database_refuses_to_edit_or_delete_an_entry(client, people, clock, db):
    _, _, session_id = await opening_session(client, people, clock)
    await entry(client, people, session_id)
    for statement in ("UPDATE supervision_entry SET body = 'x'", "DELETE FROM supervision_entry"):
        async with db.session() as session:
            with pytest.raises((DBAPIError, IntegrityError)):
                await session.execute(text(statement))
            await session.rollback()


async def test_verify_finds_a_hand_edit(client, people, clock, db):
    _, _, session_id = await opening_session(client, people, clock)
    await entry(client, people, session_id)
    await entry(client, people, session_id, kind="intervention", body="要求暂停唱标，核对报价")
    intact = await call(client, "GET", "/api/supervision/verify", "auditor", people)
    assert (intact["entries"], intact["intact"]) == (2, True)
    # Someone with the database's keys drops the guard and edits the second entry.
    async with db.session() as session:
        if db.dialect == "postgresql":
            await session.execute(
                text("ALTER TABLE supervision_entry DISABLE TRIGGER supervision_entry_append_only")
            )
        else:
            await session.execute(text("DROP TRIGGER supervision_entry_no_update"))
        await session.execute(text("UPDATE supervision_entry SET body = '未见异常' WHERE seq = 2"))
        await session.commit()
    broken = await call(client, "GET", "/api/supervision/verify", "zj_supervisor", people)
    assert broken["intact"] is False
    assert [(f["seq"], f["reason"]) for f in broken["findings"]] == [
        (2, "the entry does not match its digest")
    ]


async def test_attachments_have_limits(client, people, clock):
    _, _, session_id = await opening_session(client, people, clock)
    headers = people.headers("zj_supervisor")
    stored = await client.post(
        "/api/supervision/attachments", files={"file": ("现场照片.pdf", PDF)}, headers=headers
    )
    assert stored.status_code == 201, stored.text
    ref = {"sha256": stored.json()["sha256"], "file_name": "现场照片.pdf"}
    with_file = await entry(client, people, session_id, attachments=[ref])
    assert with_file["attachments"]["files"][0]["size"] == len(PDF)
    script = await client.post(
        "/api/supervision/attachments", files={"file": ("x.pdf", b"#!/bin/sh\n")}, headers=headers
    )
    assert (script.status_code, script.json()["code"]) == (415, "supervision.attachment_type")
    too_many = await entry(client, people, session_id, attachments=[ref] * 6, status=422)
    assert too_many["code"] == "supervision.too_many_attachments"
    missing = await entry(
        client, people, session_id, attachments=[{"sha256": "a" * 64, "file_name": "无.pdf"}], status=422
    )
    assert missing["code"] == "supervision.attachment_missing"
