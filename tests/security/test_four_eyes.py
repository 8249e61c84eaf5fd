"""Four eyes: nobody approves an announcement they drafted or submitted; whoever made a payment
file does not confirm its payments. Each refusal names the rule."""

from tests.funds.helpers import dispatch, move, open_section, open_subaccount, pay
from tests.funds.test_refunds import RATE
from tests.trading.factories import call_announcement, construction_project


async def draft(client, people, author):
    project = await client.post(
        "/api/projects/", json=construction_project(people), headers=people.headers("agency")
    )
    assert project.status_code == 201, project.text
    response = await client.post(
        "/api/announcements/", json=call_announcement(project.json()["id"]), headers=people.headers(author)
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def act(client, people, announcement_id, action, who, **body):
    return await client.post(
        f"/api/announcements/{announcement_id}/{action}", json=body or None, headers=people.headers(who)
    )


async def test_staff_may_not_approve_what_they_drafted(client, people):
    announcement_id = await draft(client, people, "clerk")
    assert (await act(client, people, announcement_id, "submit", "clerk")).status_code == 200
    refused = await act(client, people, announcement_id, "approve", "clerk", note="同意")
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "announcement.four_eyes"
    assert "四眼原则" in body["message"]["zh-CN"] and "four-eyes rule" in body["message"]["en"]
    approved = await act(client, people, announcement_id, "approve", "clerk2", note="同意")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"


async def test_staff_may_not_approve_what_they_submitted(client, people):
    announcement_id = await draft(client, people, "agency")
    assert (await act(client, people, announcement_id, "submit", "clerk")).status_code == 200
    refused = await act(client, people, announcement_id, "approve", "clerk", note="同意")
    assert refused.status_code == 403
    assert refused.json()["code"] == "announcement.four_eyes"


async def test_another_clerk_approves_an_agencys_announcement(client, people):
    announcement_id = await draft(client, people, "agency")
    assert (await act(client, people, announcement_id, "submit", "agency")).status_code == 200
    approved = await act(client, people, announcement_id, "approve", "clerk", note="同意")
    assert approved.status_code == 200, approved.text


async def test_whoever_made_the_payment_file_does_not_confirm_its_payments(
    client, people, settings, db, clock, app
):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    await move(client, people, section_id, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    await client.post("/api/funds/refunds/rates", json=RATE, headers=people.headers("clerk"))
    issued = await client.post("/api/funds/refunds/instructions", headers=people.headers("clerk"))
    assert issued.status_code == 201, issued.text
    (refund,) = (await client.get("/api/funds/refunds/", headers=people.headers("clerk"))).json()
    payment = {"bank_txn_id": "D1", "paid_on": "2026-03-03"}
    url = f"/api/funds/refunds/{refund['id']}/confirm"
    refused = await client.post(url, json=payment, headers=people.headers("clerk"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "refund.four_eyes"
    assert issued.json()["number"] in refused.json()["message"]["zh-CN"]
    confirmed = await client.post(url, json=payment, headers=people.headers("clerk2"))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
