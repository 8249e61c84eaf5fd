"""Rendering runs in worker processes: a worker that dies or hangs gives a clear 503 and issues
nothing, and the next request gets a fresh worker."""

import asyncio
import os
import time

from tests.trading.documents.helpers import issue
from tests.trading.documents.test_announcement_documents import published_call
from trading.documents.rendering import render_and_sign
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


def slow(job):  # runs in the worker: a long document
    time.sleep(2)
    return render_and_sign(job)


async def test_other_requests_are_served_while_a_document_renders(app, client, people):
    _, call = await published_call(client, people)
    app.state.documents.pool = RenderPool(1, 60, task=slow)
    issuing = asyncio.create_task(
        client.post(
            "/api/documents/",
            json={"kind": "announcement.call", "subject": call["id"]},
            headers=people.headers("clerk"),
        )
    )
    served = 0
    while not issuing.done():
        assert (await client.get("/health")).status_code == 200
        served += 1
    assert (await issuing).status_code == 201
    assert served >= 5  # the event loop kept answering during the two-second render


async def test_two_requests_racing_for_one_document_get_the_same_one(client, people):
    _, call = await published_call(client, people)
    body = {"kind": "announcement.call", "subject": call["id"]}
    first, second = await asyncio.gather(
        client.post("/api/documents/", json=body, headers=people.headers("clerk")),
        client.post("/api/documents/", json=body, headers=people.headers("clerk")),
    )
    assert sorted((first.status_code, second.status_code)) == [200, 201]
    assert first.json()["id"] == second.json()["id"]
    listed = await client.get(
        "/api/documents/", params={"subject": call["id"]}, headers=people.headers("clerk")
    )
    assert len(listed.json()) == 1
