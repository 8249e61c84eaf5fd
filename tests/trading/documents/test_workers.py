"""Rendering runs in worker processes: a worker that dies or hangs gives a clear 503 and issues
nothing, and the next request gets a fresh worker."""

import asyncio
import os
import time

from tests.trading.documents.helpers import issue
from tests.trading.documents.test_announcement_documents import published_call
from trading.documents import service
from trading.documents.workers import RenderPool


def die(job):  # runs in the worker: a segfault in pango looks like this to the pool
    os._exit(11)


def hang(job):  # runs in the worker: a render that never ends
    time.sleep(120)


async def refused(client, people, call) -> dict:
    answer = await client.post(
        "/api/documents/",
        json={"kind": "announcement.call", "subject": call["id"]},
        headers=people.headers("clerk"),
    )
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "document.renderer_unavailable"
    return answer.json()["details"]


async def test_a_dead_worker_gives_503_and_the_next_request_works(app, client, people):
    _, call = await published_call(client, people)
    desk = app.state.documents
    real = desk.pool
    desk.pool = RenderPool(1, 60, task=die)
    details = await refused(client, people, call)
    assert details["reason"] == "worker_died" and details["void_number"].endswith("000001")
    assert (await client.get("/api/documents/", headers=people.headers("clerk"))).json() == []
    desk.pool.close()
    desk.pool = real
    document = await issue(client, people, "clerk", "announcement.call", call["id"])
    assert document["number"].endswith("000002")


async def test_a_hung_worker_gives_503_after_the_time_limit(app, client, people):
    _, call = await published_call(client, people)
    app.state.documents.pool = RenderPool(1, 1.5, task=hang)
    details = await refused(client, people, call)
    assert details["reason"] == "timeout"


def pid_after_a_while(job):  # runs in the worker: a long document, and where it ran
    time.sleep(1)
    return os.getpid()


async def test_rendering_runs_in_another_process_while_the_event_loop_turns():
    pool = RenderPool(1, 60, task=pid_after_a_while)
    try:
        rendering = asyncio.create_task(pool.render(None))
        turns = 0
        while not rendering.done():
            await asyncio.sleep(0.01)  # pacing only: counts how often the loop got to run meanwhile
            turns += 1
        assert await rendering != os.getpid()
        assert turns >= 10
    finally:
        pool.close()


async def test_the_database_keeps_one_original_when_two_renders_race(app, client, people, db, clock):
    _, call = await published_call(client, people)
    desk, clerk = app.state.documents, people.cast.identity("clerk")
    request = service.IssueRequest(kind="announcement.call", subject=call["id"])
    # Both requests prepared (numbers reserved) before either is stored: the race the index settles.
    async with db.session() as session:
        prepared = [
            await service.prepare(
                session,
                desk.kinds,
                desk.signer,
                request,
                viewer=clerk,
                at=clock.now(),
                settings=app.state.settings,
            )
            for _ in range(2)
        ]
        await session.commit()
    results = []
    for one in prepared:
        rendered = await desk.pool.render(one.job)
        async with db.session() as session:
            results.append(await service.complete(session, one, rendered, desk.store, viewer=clerk))
            await session.commit()
    (first, created_first), (second, created_second) = results
    assert created_first and not created_second and second.id == first.id
    listed = await client.get(
        "/api/documents/", params={"subject": call["id"]}, headers=people.headers("clerk")
    )
    assert [d["number"] for d in listed.json()] == [prepared[0].job.document["number"]]
