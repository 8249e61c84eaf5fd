"""The RFC 9162 tree: roots, the growing frontier, inclusion and consistency proofs and their checks."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from trading.audit import merkle


def leaves(n):
    return [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]


def mth_of(hashes):
    return lambda start, end: merkle.root_of(hashes[start:end])


def test_hashes_follow_rfc_9162_domain_separation():
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.root_of([]) == hashlib.sha256(b"").digest()
    # Seven leaves split 4 + 3, the three 2 + 1 (section 2.1.1).
    h = leaves(7)
    n = merkle.node_hash
    assert merkle.root_of(h) == n(n(n(h[0], h[1]), n(h[2], h[3])), n(n(h[4], h[5]), h[6]))


@given(st.integers(min_value=0, max_value=300))
def test_the_frontier_gives_the_root_of_the_definition(size):
    hashes = leaves(size)
    frontier = merkle.Frontier()
    frontier.extend(hashes)
    assert frontier.root() == merkle.root_of(hashes)
    restored = merkle.Frontier.from_json(size, frontier.to_json())
    restored.extend(leaves(size + 5)[size:])
    assert restored.root() == merkle.root_of(leaves(size + 5))


def test_the_frontier_names_every_completed_inner_node():
    hashes, seen = leaves(37), {}
    frontier = merkle.Frontier()
    for h in hashes:
        frontier.append(h, lambda level, index, digest: seen.setdefault((level, index), digest))
    assert seen[(5, 0)] == merkle.root_of(hashes[:32])
    assert seen[(2, 8)] == merkle.root_of(hashes[32:36])
    assert (3, 4) not in seen  # leaves 32..39 are not all there yet


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=200), st.data())
def test_every_inclusion_proof_checks_and_a_wrong_one_does_not(size, data):
    hashes = leaves(size)
    root = merkle.root_of(hashes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    path = merkle.inclusion_path(index, size, mth_of(hashes))
    assert merkle.verify_inclusion(hashes[index], index, size, path, root)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), index, size, path, root)
    if size > 1:
        assert not merkle.verify_inclusion(hashes[index], (index + 1) % size, size, path, root)


@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=200), st.data())
def test_every_consistency_proof_checks_and_a_rewritten_history_does_not(second, data):
    first = data.draw(st.integers(min_value=1, max_value=second))
    hashes = leaves(second)
    proof = merkle.consistency_path(first, second, mth_of(hashes))
    first_root, second_root = merkle.root_of(hashes[:first]), merkle.root_of(hashes)
    assert merkle.verify_consistency(first, second, first_root, second_root, proof)
    rewritten = list(hashes)
    rewritten[data.draw(st.integers(min_value=0, max_value=first - 1))] = merkle.leaf_hash(b"edited")
    assert not merkle.verify_consistency(first, second, first_root, merkle.root_of(rewritten), proof)
    if first < second:
        assert not merkle.verify_consistency(first, second, first_root, second_root, proof[:-1])
