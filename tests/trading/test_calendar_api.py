"""The calendar over HTTP: users read it, an administrator loads a new year's notice."""

NOTICE_2027 = {
    "notice": "国务院办公厅关于2027年部分节假日安排的通知（测试用）",
    "holidays": [
        {"date": "2027-01-01", "name": "元旦"},
        {"date": "2027-01-02", "name": "元旦"},
        {"date": "2027-01-03", "name": "元旦"},
    ],
    "workdays": [{"date": "2027-01-09", "name": "元旦"}],
}


async def test_the_seeded_years_are_listed(client, people):
    response = await client.get("/api/calendar/years", headers=people.headers("bidder_a"))
    years = [y["year"] for y in response.json()]
    assert 2026 in years
    assert 2040 not in years


async def test_a_working_day_deadline_skips_the_national_day_holiday(client, people):
    response = await client.get(
        "/api/calendar/working-days",
        params={"start": "2025-09-30", "days": 1},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 200
    # 1-8 October 2025 were holidays; 11 October (a Saturday) was a make-up working day.
    assert response.json()["date"] == "2025-10-09"


async def test_a_year_not_loaded_is_counted_on_the_estimate_and_says_so(client, people):
    response = await client.get(
        "/api/calendar/working-days",
        params={"start": "2039-12-28", "days": 5},
        headers=people.headers("bidder_a"),
    )
    assert response.status_code == 200
    # New Year 2040 is a Sunday; the estimate keeps Monday the 2nd off (no notice yet).
    assert response.json() == {"start": "2039-12-28", "days": 5, "date": "2040-01-05", "provisional": True}
    estimate = await client.get("/api/calendar/years/2040", headers=people.headers("bidder_a"))
    body = estimate.json()
    assert body["provisional"] is True and body["workdays"] == []
    assert {"date": "2040-01-01", "name": "元旦"} in body["holidays"]
    assert "暂定" in body["source"]


async def test_a_date_beyond_the_calendars_range_is_a_clear_422(client, people):
    response = await client.get(
        "/api/calendar/working-days",
        params={"start": "2100-12-30", "days": 5},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "calendar.year_out_of_range"


async def test_an_administrator_loads_the_next_year_and_deadlines_work_again(client, people):
    loaded = await client.put("/api/calendar/years/2027", json=NOTICE_2027, headers=people.headers("admin"))
    assert loaded.status_code == 200, loaded.text
    response = await client.get(
        "/api/calendar/working-days",
        params={"start": "2026-12-31", "days": 1},
        headers=people.headers("clerk"),
    )
    assert response.json()["date"] == "2027-01-04"


async def test_staff_cannot_load_a_calendar(client, people):
    response = await client.put("/api/calendar/years/2027", json=NOTICE_2027, headers=people.headers("clerk"))
    assert response.status_code == 403


async def test_a_make_up_day_on_a_weekday_is_refused(client, people):
    notice = {**NOTICE_2027, "workdays": [{"date": "2027-01-05", "name": "元旦"}]}
    response = await client.put("/api/calendar/years/2027", json=notice, headers=people.headers("admin"))
    assert response.status_code == 422
    assert response.json()["code"] == "calendar.workday_not_weekend"


async def test_the_rules_catalogue_is_public(client):
    listed = await client.get("/api/rules")
    assert listed.status_code == 200
    ids = {rule["id"] for rule in listed.json()}
    assert {"C-02", "P-05", "L-02", "R-01", "E-01"} <= ids
    one = await client.get("/api/rules/C-06")
    assert one.json()["source"] == "TLR art. 26"
    missing = await client.get("/api/rules/Z-99")
    assert missing.status_code == 404
    assert missing.json()["code"] == "rule.not_found"
