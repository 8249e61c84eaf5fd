"""Supervision letters (督办函): issued on a warning, answered by the addressee, accepted or sent
back; a letter not answered by its date escalates."""

import codecs
import csv
import io

from tests.trading.oversight.helpers import at, call, evaluated_section, steps, warnings


async def red_card(client, people, clock):
    await evaluated_section(client, people, clock)
    clock.set(at("2026-03-31"))
    (red,) = await warnings(client, people)
    return red


def letter_on(warning, people, due_on="2026-04-03", **changes):
    body = {
        "warning_id": warning["id"],
        "addressee_kind": "agency",
        "organisation_id": str(people.org("agency").id),
        "subject": "关于中标候选人未按期公示的督办函",
        "body": "请于期限内说明未在收到评标报告之日起3日内公示中标候选人的原因，并立即整改。",
        "due_on": due_on,
    }
    return {**body, **changes}


async def test_a_letter_is_answered_sent_back_answered_again_and_accepted(client, people, clock):
    red = await red_card(client, people, clock)
    letter = await call(
        client, "POST", "/api/oversight/letters", "zj_supervisor", people, letter_on(red, people), 201
    )
    assert (letter["number"], letter["status"], letter["department"]) == (
        "DB-2026-0001",
        "issued",
        "金陵工程咨询招标代理有限公司",
    )
    path = f"/api/oversight/letters/{letter['id']}"
    answer = {
        "explanation": "项目负责人出差，未及时公示",
        "correction": "已于3月31日公示，并调整内部审核流程",
    }
    # Only the addressee answers; the principal of the project does not even see the letter.
    await call(client, "POST", f"{path}/answer", "principal", people, answer, 404)
    clock.set(at("2026-04-02"))
    assert (await call(client, "POST", f"{path}/answer", "agency", people, answer))["status"] == "answered"
    no_date = await call(
        client,
        "POST",
        f"{path}/review",
        "zj_supervisor",
        people,
        {"accept": False, "note": "整改措施不具体"},
        422,
    )
    assert no_date["code"] == "letter.due_invalid"
    back = await call(
        client,
        "POST",
        f"{path}/review",
        "zj_supervisor",
        people,
        {"accept": False, "note": "整改措施不具体", "new_due_on": "2026-04-08"},
    )
    assert (back["status"], back["rounds"], back["due_on"]) == ("sent_back", 2, "2026-04-08")
    await call(client, "POST", f"{path}/review", "zj_supervisor", people, {"accept": True, "note": "x"}, 409)
    clock.set(at("2026-04-07"))
    await call(
        client,
        "POST",
        f"{path}/answer",
        "agency",
        people,
        {**answer, "correction": "制定公示时限清单，专人负责"},
    )
    accepted = await call(
        client, "POST", f"{path}/review", "zj_supervisor", people, {"accept": True, "note": "同意"}
    )
    assert accepted["status"] == "accepted"
    assert [w for w in await warnings(client, people) if w["step"] == "letter_answer"] == []


async def test_a_letter_answered_late_escalates_and_keeps_its_red_card(client, people, clock):
    red = await red_card(client, people, clock)
    letter = await call(
        client, "POST", "/api/oversight/letters", "zj_supervisor", people, letter_on(red, people), 201
    )
    clock.set(at("2026-04-03", "10:00"))
    assert [
        w["level"] for w in await warnings(client, people, open_only=True) if w["step"] == "letter_answer"
    ] == ["yellow"]
    clock.set(at("2026-04-04", "10:00"))
    late = [w for w in await warnings(client, people, open_only=True) if w["step"] == "letter_answer"]
    assert [w["level"] for w in late] == ["red", "yellow"]
    shown = await call(client, "GET", f"/api/oversight/letters/{letter['id']}", "agency", people)
    assert shown["escalated_at"] is not None
    dashboard = await call(client, "GET", "/api/oversight/dashboard", "zj_supervisor", people)
    assert dashboard["sectors"][0]["letters_escalated"] == 1
    clock.set(at("2026-04-06", "10:00"))
    await call(
        client,
        "POST",
        f"/api/oversight/letters/{letter['id']}/answer",
        "agency",
        people,
        {"explanation": "迟复说明", "correction": "已整改"},
    )
    step = (await steps(client, people))["letter_answer"]
    assert (step["done_on"], step["due_on"]) == ("2026-04-06", "2026-04-03")
    reds = [w for w in await warnings(client, people) if w["step"] == "letter_answer" and w["level"] == "red"]
    assert [(w["reason"], w["closed"]) for w in reds] == [("overdue", True)]


async def test_a_letter_is_refused_out_of_scope_or_without_a_proper_date(client, people, clock):
    red = await red_card(client, people, clock)
    await call(client, "POST", "/api/oversight/letters", "cz_supervisor", people, letter_on(red, people), 404)
    await call(client, "POST", "/api/oversight/letters", "clerk", people, letter_on(red, people), 403)
    today = await call(
        client,
        "POST",
        "/api/oversight/letters",
        "zj_supervisor",
        people,
        letter_on(red, people, due_on="2026-03-31"),
        422,
    )
    assert today["code"] == "letter.due_invalid"
    center = await call(
        client,
        "POST",
        "/api/oversight/letters",
        "zj_supervisor",
        people,
        letter_on(red, people, addressee_kind="center", organisation_id=None),
        422,
    )
    assert center["code"] == "letter.department_required"
    wrong = await call(
        client,
        "POST",
        "/api/oversight/letters",
        "zj_supervisor",
        people,
        letter_on(red, people, organisation_id=str(people.org("builder_a").id)),
        422,
    )
    assert wrong["code"] == "letter.addressee_invalid"
    to_center = await call(
        client,
        "POST",
        "/api/oversight/letters",
        "zj_supervisor",
        people,
        letter_on(
            red, people, addressee_kind="center", organisation_id=None, department="交易中心综合业务部"
        ),
        201,
    )
    # The center's own department answers through its staff.
    answered = await call(
        client,
        "POST",
        f"/api/oversight/letters/{to_center['id']}/answer",
        "clerk",
        people,
        {"explanation": "说明", "correction": "整改"},
    )
    assert answered["status"] == "answered"
    csv = await client.get("/api/oversight/exports/letters.csv", headers=people.headers("zj_supervisor"))
    assert csv.status_code == 200 and "交易中心综合业务部" in csv.text


async def export(client, people, name, who="zj_supervisor"):
    answer = await client.get(f"/api/oversight/exports/{name}", headers=people.headers(who) if who else {})
    if answer.status_code != 200:
        return answer.status_code, None
    assert answer.headers["content-type"].startswith("text/csv")
    # A byte-order mark first, so that a spreadsheet reads the Chinese text as UTF-8.
    assert answer.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    return answer.status_code, rows


async def test_the_exports_open_as_text_in_a_spreadsheet_and_only_for_the_bureau(client, people, clock):
    red = await red_card(client, people, clock)
    trap = '=HYPERLINK("http://evil.example/","点击查看整改要求")'
    await call(
        client,
        "POST",
        "/api/oversight/letters",
        "zj_supervisor",
        people,
        letter_on(red, people, subject=trap),
        201,
    )
    _, letters = await export(client, people, "letters.csv")
    (letter,) = letters
    # The formula arrives as text: a leading apostrophe keeps a spreadsheet from running it.
    assert letter["subject"] == "'" + trap
    assert (letter["sector"], letter["status"], letter["due_on"]) == ("construction", "issued", "2026-04-03")
    _, cards = await export(client, people, "warnings.csv")
    # Nobody looked on the last day, so the card is red at once (red_card jumps past it).
    assert [(c["step"], c["level"], c["rule"], c["due_on"], c["closed"]) for c in cards] == [
        ("candidates_publication", "red", "C-14", "2026-03-30", "no")
    ]
    # Another bureau's exports hold none of it; a bidder may not export; nobody signed in neither.
    for name in ("letters.csv", "warnings.csv"):
        assert await export(client, people, name, "cz_supervisor") == (200, [])
        assert (await export(client, people, name, "bidder_a"))[0] == 403
        assert (await export(client, people, name, None))[0] == 401
