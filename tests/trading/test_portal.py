"""The front page lists the newest published announcements to anyone."""

from tests.trading.test_announcements import announced_project


async def test_the_front_page_lists_published_announcements_without_login(client, people):
    await announced_project(client, people)
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "江宁区城南中学教学楼新建工程施工招标公告" in response.text
    assert "共 1 条" in response.text


async def test_the_openapi_document_is_served_publicly(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/public/announcements" in paths
    assert (await client.get("/schema")).status_code == 200
