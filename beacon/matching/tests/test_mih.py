"""The exact radius search (multi-index hashing) against brute force: recall 1.0 by construction,
checked here on random banks with planted near copies at every distance up to the radius."""

import numpy as np
import pytest

from beacon.matching.mih import MultiIndex, brute_force, chunk_values, plan_chunks


def _planted(rng, bank: np.ndarray, count: int, radius: int) -> np.ndarray:
    queries = bank[rng.integers(0, len(bank), count)].copy()
    for query in queries:
        for bit in rng.choice(256, int(rng.integers(0, radius + 1)), replace=False):
            query[bit // 8] ^= 1 << (7 - bit % 8)
    return queries


@pytest.mark.parametrize(
    ("size", "radius"), [(1, 31), (500, 31), (20_000, 31), (20_000, 45), (5_000, 8)]
)
def test_the_index_finds_exactly_what_brute_force_finds(size, radius):
    rng = np.random.default_rng(size + radius)
    bank = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    ids = rng.permutation(size).astype(np.int64) + 1000
    queries = np.concatenate(
        [_planted(rng, bank, 150, radius), rng.integers(0, 256, (50, 32), dtype=np.uint8)]
    )
    index = MultiIndex(bank, ids, max_radius=radius)
    assert index.search(queries, radius) == brute_force(bank, ids, queries, radius)
    # Every planted copy is found, with the distance it was given at most.
    found = index.search(queries[:150], radius)
    assert all(hits for hits in found)


def test_a_smaller_radius_than_built_for_is_answered_and_a_larger_refused():
    rng = np.random.default_rng(1)
    bank = rng.integers(0, 256, (2000, 32), dtype=np.uint8)
    index = MultiIndex(bank, np.arange(2000), max_radius=31)
    queries = _planted(rng, bank, 50, 31)
    assert index.search(queries, 10) == brute_force(bank, np.arange(2000), queries, 10)
    with pytest.raises(ValueError):
        index.search(queries, 32)


def test_an_empty_index_finds_nothing():
    index = MultiIndex(np.zeros((0, 32), dtype=np.uint8), np.zeros(0, dtype=np.int64))
    assert index.search(np.zeros((2, 32), dtype=np.uint8), 31) == [[], []]


def test_chunks_cover_all_256_bits_and_grow_with_the_bank():
    for count in (10, 10_000, 10_000_000):
        assert sum(plan_chunks(count, 31)) == 256
    assert max(plan_chunks(10_000_000, 31)) > max(plan_chunks(10_000, 31))


def test_chunk_values_read_bits_in_pdq_order():
    code = np.zeros((1, 32), dtype=np.uint8)
    code[0, 0] = 0b1000_0000  # the first bit of the hash
    assert chunk_values(code, 0, 8)[0] == 128
    assert chunk_values(code, 0, 1)[0] == 1 and chunk_values(code, 1, 7)[0] == 0
