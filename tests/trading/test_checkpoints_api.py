"""Checkpoints through the API and the command line: a supervisor takes one away, later holds
the database to it, and anyone checks the proofs offline."""

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner
from litestar.cli._utils import LitestarEnv

from funds.cli import funds_group
from tests.funds.test_journal import credit
from tests.trading import tamper
from tests.trading.test_announcements import announced_project
from trading.audit import offline
from trading.audit.cli import audit_group


async def test_a_supervisor_exports_a_checkpoint_and_holds_the_log_to_it(client, people, db):
    supervisor = people.headers("zj_supervisor")
    key = (await client.get("/api/audit/logs", headers=supervisor)).json()
    assert key["logs"] == ["audit", "journal"]
    none_yet = await client.get("/api/audit/logs/audit/checkpoint", headers=supervisor)
    assert (none_yet.status_code, none_yet.json()["code"]) == (404, "log.no_checkpoint")
    await announced_project(client, people)
    kept = (await client.post("/api/audit/logs/audit/checkpoint", headers=supervisor)).json()
    assert offline.read_checkpoint(kept, trusted_key=key["public_key"]).log_id == "audit"
    assert (await client.get("/api/audit/logs/audit/checkpoint", headers=supervisor)).json() == kept
    size = kept["tree_size"]

    proof = await client.get(
        "/api/audit/logs/audit/inclusion",
        params={"seq": size, "tree_size": size},
        headers=people.headers("bidder_a"),
    )
    assert offline.check_inclusion(proof.json(), trusted_key=key["public_key"])[1] == size - 1

    report = await client.post("/api/audit/logs/audit/verify", json={"checkpoint": kept}, headers=supervisor)
    assert report.json() | {"rows": 0} == {
        "log_id": "audit",
        "rows": 0,
        "intact": True,
        "first_broken_seq": None,
        "reason": None,
        "checkpoints_checked": 2,
        "checkpoint_size": size,
    }
    await tamper.rewrite_audit(db, "tail_deletion", at=size - 2)
    await tamper.forget_checkpoints(db, "audit")
    assert (await client.get("/api/audit/verify", headers=people.headers("auditor"))).json()["intact"]
    report = (
        await client.post("/api/audit/logs/audit/verify", json={"checkpoint": kept}, headers=supervisor)
    ).json()
    assert (report["intact"], report["first_broken_seq"]) == (False, size - 1)

    forged = kept | {"tree_size": size - 2}
    refused = await client.post(
        "/api/audit/logs/audit/verify", json={"checkpoint": forged}, headers=supervisor
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "log.checkpoint_invalid")
    unknown = await client.get("/api/audit/logs/nothing/checkpoint", headers=supervisor)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "log.unknown")


def test_the_commands_export_check_and_verify_against_a_kept_file(app, db, tmp_path):
    env = LitestarEnv(app_path="trading.app:create_app", app=app, cwd=Path.cwd())

    async def credits(keys):
        async with db.session() as session:
            for key in keys:
                await credit(session, key, 1000)
            await session.commit()
        await db.dispose()

    def run(group, *args):
        return CliRunner().invoke(group, list(args), obj=env)

    asyncio.run(credits(["bank:T1", "bank:T2", "bank:T3"]))
    kept = tmp_path / "journal-3.json"
    assert run(audit_group, "checkpoint", "--log", "journal", "--out", str(kept)).exit_code == 0
    asyncio.run(credits(["bank:T4"]))
    later = json.loads(run(audit_group, "checkpoint", "--log", "journal").output)
    assert later["tree_size"] == 4
    proof = tmp_path / "consistency.json"
    made = run(
        audit_group, "consistency", "--log", "journal", "--first", "3", "--second", "4", "--out", str(proof)
    )
    assert made.exit_code == 0, made.output
    checked = run(audit_group, "check-proof", str(proof), "--public-key", later["public_key"])
    assert checked.exit_code == 0
    assert "size 4 extends size 3" in checked.output

    ok = run(funds_group, "verify", "--checkpoint", str(kept))
    assert ok.exit_code == 0, ok.output
    assert "held to 3 signed checkpoints, the newest of size 4" in ok.output

    async def cut():
        await tamper.rewrite_journal(db, "tail_deletion", at=2)
        await tamper.forget_checkpoints(db, "journal")
        await db.dispose()

    asyncio.run(cut())
    assert run(funds_group, "verify").exit_code == 0  # nothing left in the database to tell
    broken = run(funds_group, "verify", "--checkpoint", str(kept))
    assert broken.exit_code == 1
    assert "ledger BROKEN at entry 3: the log holds 2 rows but the given checkpoint" in broken.output
    audit = run(audit_group, "verify", "--log", "journal", "--checkpoint", str(kept))
    assert audit.exit_code == 1
