"""The bureaus' and the auditors' views: trial balance at any instant, movements, outstanding
deposits and overdue refunds, CSV exports; a supervisor sees only its own sectors."""

import csv
import datetime as dt
import io

from tests.funds.helpers import dispatch, move, open_section, open_subaccount, pay


async def view(client, people, path, who="auditor", **params):
    response = await client.get(f"/api/funds/views/{path}", params=params, headers=people.headers(who))
    assert response.status_code == 200, response.text
    return response


async def paid_in_two_sectors(client, people, settings, clock):
    building = await open_section(client, people)
    parcel = await open_section(client, people, "land", deposit="500000.00")
    a = await open_subaccount(client, people, building, org="builder_b")
    b = await open_subaccount(client, people, parcel, org="builder_b")
    await pay(client, people, settings, clock, a["number"], "20000.00", org="builder_b")
    await pay(client, people, settings, clock, b["number"], "500000.00", org="builder_b")
    return building, parcel


async def test_the_trial_balance_at_a_past_instant_shows_what_was_then(
    client, people, settings, db, clock, app
):
    building, _ = await paid_in_two_sectors(client, people, settings, clock)
    paid_at = clock.now()
    clock.advance(dt.timedelta(days=1))
    await move(client, people, building, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    now = (await view(client, people, "trial-balance")).json()
    then = (await view(client, people, "trial-balance", at=paid_at.isoformat())).json()
    before = (
        await view(client, people, "trial-balance", at=(paid_at - dt.timedelta(days=1)).isoformat())
    ).json()
    assert now["balanced"] and then["balanced"] and now["complete"]
    assert then["total_debit"] == now["total_debit"] == "520000.00"
    then_lines = {line["account"]: line["credit"] for line in then["lines"]}
    now_lines = {line["account"]: line["credit"] for line in now["lines"]}
    assert "refunds_payable:construction" not in then_lines
    assert now_lines["refunds_payable:construction"] == "20000.00"
    assert before["lines"] == []


async def test_a_supervisor_sees_only_its_sectors_accounts_and_movements(client, people, settings, clock):
    building, parcel = await paid_in_two_sectors(client, people, settings, clock)
    zj = (await view(client, people, "trial-balance", who="zj_supervisor")).json()
    assert {line["sector"] for line in zj["lines"]} == {"construction"}
    assert zj["complete"] is False
    assert "escrow_bank" not in {line["account"] for line in zj["lines"]}
    zr = (await view(client, people, "trial-balance", who="zr_supervisor")).json()
    assert {line["sector"] for line in zr["lines"]} == {"land"}
    hidden = await client.get(
        f"/api/funds/views/sections/{parcel}/movements", headers=people.headers("zj_supervisor")
    )
    assert hidden.status_code == 404
    bidder = people.org("builder_b").id
    theirs = (await view(client, people, f"organisations/{bidder}/movements", who="zj_supervisor")).json()
    assert {m["section_id"] for m in theirs} == {building}
    everything = (await view(client, people, f"organisations/{bidder}/movements")).json()
    assert {m["section_id"] for m in everything} == {building, parcel}
    assert (
        await client.get("/api/funds/views/trial-balance", headers=people.headers("bidder_b"))
    ).status_code == 403


async def test_every_movement_of_a_section_in_journal_order_with_running_balances(
    client, people, settings, clock
):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "12000.00")
    await pay(client, people, settings, clock, account["number"], "8000.00")
    movements = (await view(client, people, f"sections/{section_id}/movements", who="zj_supervisor")).json()
    sub = [m for m in movements if m["account"].startswith("subaccount:")]
    assert [(m["credit"], m["balance_after"]) for m in sub] == [
        ("12000.00", "12000.00"),
        ("8000.00", "20000.00"),
    ]


async def test_outstanding_deposits_and_overdue_refunds(client, people, settings, db, clock, app):
    building, parcel = await paid_in_two_sectors(client, people, settings, clock)
    await move(client, people, building, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    clock.advance(dt.timedelta(days=10))
    everything = (await view(client, people, "deposits/outstanding")).json()
    assert [(d["section_id"], d["cash"]) for d in everything["held"]] == [(parcel, "500000.00")]
    assert [(r["section_id"], r["overdue"], r["warning"]) for r in everything["refunds"]] == [
        (building, True, "red")
    ]
    overdue = (await view(client, people, "deposits/outstanding", who="zr_supervisor", overdue="true")).json()
    assert overdue == {"held": [], "refunds": []}


async def test_views_export_as_csv_for_spreadsheets(client, people, settings, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00", payer_name='=HYPERLINK("x")')
    exported = await view(client, people, f"sections/{section_id}/movements", format="csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    text = exported.text
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["code"] for r in rows} == {"suspense"}
    assert all(not r["memo"].startswith("=") for r in rows)
    balance = await view(client, people, "trial-balance", format="csv")
    totals = list(csv.reader(io.StringIO(balance.text.lstrip("\ufeff"))))[-1]
    assert totals == ["total", "合计", "", "", "20000.00", "20000.00"]
    outstanding = await view(client, people, "deposits/outstanding", format="csv")
    assert outstanding.text.lstrip("\ufeff").startswith("item,section,party")


async def test_auditors_verify_the_ledger_over_http_and_bidders_cannot(client, people, settings, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    report = (await view(client, people, "ledger/verify")).json()
    assert report == {
        "intact": True,
        "entries": 1,
        "postings": 2,
        "accounts": 2,
        "first_broken_seq": None,
        "reason": None,
        "checkpoints_checked": 0,
        "checkpoint_size": None,
    }
    assert (
        await client.get("/api/funds/views/ledger/verify", headers=people.headers("bidder_a"))
    ).status_code == 403
