"""Chinese keyword search over published announcements, on the FTS5 trigram index (SQLite) and
the pg_trgm indexes (PostgreSQL), through the public list the portal uses."""

import datetime as dt

from sqlalchemy import text

from tests.trading.factories import call_announcement, construction_project
from tests.trading.test_projects import publish, register

SEARCH = "/api/public/announcements/"
LONG_BODY = (
    "本招标项目已由江宁区发展和改革局批准建设，项目业主为江宁城市建设投资集团有限公司，建设资金来自财政资金，"
    "出资比例为百分之百。项目已具备招标条件，现对该项目的施工及监理进行公开招标，特邀请有兴趣的潜在投标人"
    "提出资格预审申请。本次招标不接受联合体投标，投标人须具备建筑工程施工总承包二级及以上资质。"
)


async def announce(client, people, clock, title, body=LONG_BODY, name="江宁区城南中学教学楼新建工程"):
    clock.advance(dt.timedelta(minutes=5))
    project = construction_project(people)
    project["name"] = name
    registered = await register(client, people, project)
    assert registered.status_code == 201, registered.text
    response = await publish(
        client, people, call_announcement(registered.json()["id"], title=title, body=body)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def search(client, **params):
    response = await client.get(SEARCH, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_two_character_word_inside_a_long_body_is_found_and_marked(client, people, clock):
    await announce(client, people, clock, "城南中学教学楼新建工程施工招标公告")
    await announce(
        client, people, clock, "东山街道道路改造工程招标公告", body="道路改造，全长三公里，含排水管网。"
    )
    page = await search(client, q="监理")
    assert page["total"] == 1
    item = page["items"][0]
    assert item["title"] == "城南中学教学楼新建工程施工招标公告"
    assert "<mark>监理</mark>" in item["snippet"]
    assert item["snippet"].startswith("…") and len(item["snippet"]) < len(LONG_BODY)
    assert item["title_marked"] == "城南中学教学楼新建工程施工招标公告"


async def test_a_longer_word_is_found_by_the_index_and_title_matches_come_first(client, people, clock):
    await announce(
        client, people, clock, "城南中学教学楼新建工程施工招标公告", body="本项目含排水管网改造，全长三公里。"
    )
    await announce(
        client, people, clock, "东山街道排水管网改造工程招标公告", body="新建排水管网，全长三公里。"
    )
    page = await search(client, q="排水管网")
    assert page["total"] == 2
    assert [a["title"] for a in page["items"]] == [
        "东山街道排水管网改造工程招标公告",
        "城南中学教学楼新建工程施工招标公告",
    ]
    assert page["items"][0]["title_marked"] == "东山街道<mark>排水管网</mark>改造工程招标公告"


async def test_keywords_are_all_required_mixing_short_and_long(client, people, clock):
    await announce(client, people, clock, "城南中学教学楼新建工程施工招标公告")
    await announce(
        client, people, clock, "东山街道道路改造工程招标公告", body="道路改造，全长三公里，含排水管网。"
    )
    assert (await search(client, q="监理 教学楼"))["total"] == 1
    assert (await search(client, q="监理 道路改造"))["total"] == 0
    assert (await search(client, q="道路改造 排水"))["total"] == 1


async def test_wildcards_and_search_syntax_are_plain_text(client, people, clock):
    await announce(client, people, clock, "城南中学教学楼新建工程施工招标公告")
    for q in ("%", "_", "招标%公告", '"招标" OR "x"', "教学楼*", "NOT 招标", "\\"):
        assert (await search(client, q=q))["total"] == 0, q
    await announce(client, people, clock, "百分之百_折扣%专项采购公告", body="价格下浮10%以内，编号A_1。")
    assert (await search(client, q="10%"))["total"] == 1
    assert (await search(client, q="A_1"))["total"] == 1
    assert (await search(client, q="_折扣%"))["total"] == 1


async def test_drafts_are_not_searchable_and_published_text_is(client, people, clock):
    project = (await register(client, people, construction_project(people))).json()
    draft = await client.post(
        "/api/announcements/",
        json=call_announcement(
            project["id"], title="保密草稿标题公告", body="草稿中的秘密内容不应被检索到。"
        ),
        headers=people.headers("agency"),
    )
    assert draft.status_code == 201
    assert (await search(client, q="秘密内容"))["total"] == 0
    assert (await search(client, q="秘密"))["total"] == 0
    edited = await client.put(
        f"/api/announcements/{draft.json()['id']}",
        json={"title": "修改后的招标公告", "body": "修改后的正文含有体育馆字样。"},
        headers=people.headers("agency"),
    )
    assert edited.status_code == 200
    for action, who in (("submit", "agency"), ("approve", "clerk"), ("publish", "clerk")):
        extra = {"json": {"note": "同意"}} if action == "approve" else {}
        response = await client.post(
            f"/api/announcements/{draft.json()['id']}/{action}", headers=people.headers(who), **extra
        )
        assert response.status_code == 200, response.text
    assert (await search(client, q="体育馆"))["total"] == 1
    assert (await search(client, q="秘密内容"))["total"] == 0
    # The bigram index follows the same life: the published text's pairs, not the draft's.
    assert (await search(client, q="正文"))["total"] == 1
    assert (await search(client, q="秘密"))["total"] == 0


async def test_search_combines_with_filters_and_pages(client, people, clock):
    for n in range(3):
        await announce(client, people, clock, f"第{n}号教学楼新建工程施工招标公告")
    first = await search(client, q="教学楼", limit=2, offset=0)
    second = await search(client, q="教学楼", limit=2, offset=2)
    assert first["total"] == second["total"] == 3
    titles = [a["title"] for a in first["items"] + second["items"]]
    assert sorted(titles) == sorted(f"第{n}号教学楼新建工程施工招标公告" for n in range(3))
    assert (await search(client, q="教学楼", sector="land"))["total"] == 0
    assert (await search(client, q="教学楼", kind="award"))["total"] == 0
    assert (await search(client, q="教学楼", region="江宁区"))["total"] == 3
    assert (await search(client, q="教学楼", region="玄武区"))["total"] == 0
    late = (clock.now() + dt.timedelta(days=1)).isoformat()
    assert (await search(client, q="教学楼", published_from=late))["total"] == 0


async def test_without_keywords_the_answer_is_unchanged(client, people, clock):
    await announce(client, people, clock, "城南中学教学楼新建工程施工招标公告")
    item = (await search(client))["items"][0]
    assert item["title_marked"] is None and item["snippet"] is None
    assert {"id", "project_id", "kind", "sector", "region", "title", "body", "published_at"} <= set(item)


async def test_the_postgresql_database_splits_chinese_into_trigrams(backend, db):
    """pg_trgm is useless for Chinese in a database whose LC_CTYPE is not UTF-8 (wave2-pitfalls §6)."""
    if backend != "distributed":
        return
    async with db.engine.connect() as conn:
        trigrams = (await conn.execute(text("SELECT show_trgm('招标公告')"))).scalar_one()
        indexes = (
            (await conn.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = 'announcement'")))
            .scalars()
            .all()
        )
    assert len(trigrams) >= 4
    assert {"ix_announcement_search_title_trgm", "ix_announcement_search_body_trgm"} <= set(indexes)


async def test_latin_letters_match_in_any_case(client, people, clock):
    await announce(client, people, clock, "医学影像设备64排CT采购公告", body="采购64排CT一台，含三年维保。")
    assert (await search(client, q="ct"))["total"] == 1
    assert (await search(client, q="64排ct"))["total"] == 1


async def test_two_character_words_are_found_through_the_bigram_index_ranked_and_filtered(
    client, people, clock
):
    await announce(client, people, clock, "城南中学教学楼新建工程施工招标公告")
    await announce(
        client,
        people,
        clock,
        "东山街道综合整治工程招标公告",
        body=LONG_BODY + "本项目包括东山街道内道路改造，全长三公里，含排水管网。",
    )
    await announce(
        client, people, clock, "秣陵街道道路改造工程招标公告", body="本工程全长一公里，双向四车道。"
    )
    await announce(client, people, clock, "医学影像设备采购公告", body="采购64排CT一台，含三年维保。")
    page = await search(client, q="道路")
    # Both found; the title match ranks first (bm25 weighs the title ten times on SQLite, title
    # matches first on PostgreSQL) although it was published earlier.
    assert [a["title"] for a in page["items"]] == [
        "秣陵街道道路改造工程招标公告",
        "东山街道综合整治工程招标公告",
    ]
    assert page["items"][0]["title_marked"] == "秣陵街道<mark>道路</mark>改造工程招标公告"
    assert "<mark>道路</mark>改造" in page["items"][1]["snippet"]
    assert (await search(client, q="采购"))["total"] == 1
    assert (await search(client, q="采购", sector="land"))["total"] == 0
    assert (await search(client, q="道路 排水管网"))["total"] == 1
    assert (await search(client, q="道路 监理"))["total"] == 1  # two pairs, both required
    # A pair across punctuation is not a word of the index: still found, by LIKE.
    assert (await search(client, q="里，"))["total"] == 2
    # Pairs never found: split by punctuation in the text, or not there at all.
    assert (await search(client, q="路，"))["total"] == 0
    assert (await search(client, q="隧道"))["total"] == 0


async def test_a_two_character_search_uses_the_bigram_index(backend, db):
    from sqlalchemy import func, select

    from trading.announcements import search as searching
    from trading.announcements.models import Announcement

    found = searching.plan(db.dialect, ["道路"])
    query = select(func.count()).select_from(Announcement)
    for hits in found.hits:
        query = query.join(hits, hits.c.announcement_id == Announcement.id)
    # Only the keyword's own condition: whether it can be answered by the index.
    query = query.where(*found.conditions)
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    async with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            plan = " ".join(str(row) for row in await conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "announcement_bigram VIRTUAL TABLE" in plan, plan
        else:
            # An empty test table is cheaper to scan: forbid that, the index must be usable.
            await conn.execute(text("SET enable_seqscan = off"))
            plan = " ".join(str(row) for row in await conn.execute(text(f"EXPLAIN {sql}")))
            assert "ix_announcement_search_body_bigram" in plan, plan
            assert "ix_announcement_search_title_bigram" in plan, plan


async def test_every_connection_has_the_bigram_function(db):
    """The triggers call it on every write of an announcement (SQLite)."""
    if db.dialect != "sqlite":
        return
    async with db.engine.begin() as conn:
        rows = await conn.execute(text("SELECT cjk_bigrams('道路改造，CT')"))
        assert rows.scalar_one() == "道路 路改 改造 ct"
