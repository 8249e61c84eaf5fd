"""Uploads are streamed, stored by digest, and refused whole when too large."""

import hashlib

import pytest

from trading.storage import BlobStore, UploadTooLarge


async def chunks(data: bytes, size: int = 1000):
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_a_stream_is_stored_under_its_sha256(tmp_path):
    store = BlobStore(tmp_path)
    data = b"bid document " * 5000
    blob = await store.put_stream(chunks(data), max_bytes=1 << 20)
    assert blob.digest == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    assert b"".join([c async for c in store.read_stream(blob.digest)]) == data


async def test_an_oversized_stream_is_refused_and_leaves_nothing_behind(tmp_path):
    store = BlobStore(tmp_path)
    with pytest.raises(UploadTooLarge):
        await store.put_stream(chunks(b"x" * 5000), max_bytes=4999)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_digest_that_is_not_sha256_cannot_name_a_path(tmp_path):
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path_of("../../etc/passwd")
