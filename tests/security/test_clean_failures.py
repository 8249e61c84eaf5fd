"""Clean failures: a store that cannot take a file and a database that does not answer get a 503
problem with a code, never a 500; what crashed uploads left behind is removed."""

import os
import time

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import TEST_SECRET
from tests.security.redis_server import free_port
from trading.app import create_app
from trading.errors import DomainError
from trading.settings import Settings
from trading.storage import PARTIAL_PREFIX, BlobStore, remove_partial_uploads


async def one(data: bytes):
    yield data


async def test_a_store_that_cannot_take_the_file_is_a_503(tmp_path):
    blocked = tmp_path / "blobs"
    blocked.write_text("a file where the store's folder should be")  # as a full or read-only disk: OSError
    with pytest.raises(DomainError) as refused:
        await BlobStore(blocked).put_stream(one(b"bid"), max_bytes=10)
    assert (refused.value.status, refused.value.code) == (503, "storage.unavailable")


async def test_a_failure_while_writing_is_a_503_and_leaves_nothing(tmp_path):
    store = BlobStore(tmp_path)

    async def failing():
        yield b"first part"
        raise OSError(28, "No space left on device")

    with pytest.raises(DomainError) as refused:
        await store.put_stream(failing(), max_bytes=1000)
    assert refused.value.code == "storage.unavailable"
    assert refused.value.details == {"reason": "ENOSPC"}
    assert list(tmp_path.iterdir()) == []


def test_partial_uploads_left_by_a_crash_are_removed_but_not_uploads_in_progress(tmp_path):
    blobs, incoming = tmp_path / "blobs", tmp_path / "incoming"
    blobs.mkdir()
    abandoned = blobs / f"{PARTIAL_PREFIX}abandoned"
    in_progress = blobs / f"{PARTIAL_PREFIX}in-progress"
    stored = blobs / "ab" / "cd"
    staging = incoming / "0123abcd"
    for folder in (stored, staging):
        folder.mkdir(parents=True)
    for path in (abandoned, in_progress, staging / "bid.zip"):
        path.write_bytes(b"part")
    two_hours_ago = time.time() - 7200
    for path in (abandoned, staging):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert remove_partial_uploads(tmp_path, older_than_seconds=3600) == 2
    assert not abandoned.exists() and not staging.exists()
    assert in_progress.exists() and stored.exists()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_a_database_that_does_not_answer_is_a_503_problem(tmp_path, kind):
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'no-such-folder' / 'trading.db'}"
        if kind == "sqlite"
        else f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/gone"
    )
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        migrate_on_start=False,
        secret_key=TEST_SECRET,
        bank_feed_secret=TEST_SECRET,
        event_dispatch_seconds=0,
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/api/public/announcements")
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "database.unavailable"
        login = await client.post("/api/auth/login", json={"username": "clerk", "password": "whatever-1"})
        assert login.status_code == 503
        assert login.json()["code"] == "database.unavailable"
