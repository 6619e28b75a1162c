"""Sorting, searching and set functions against NumPy, across chunkings."""
import numpy as np
import pytest

import tessera as ts
from conftest import assert_array_matches, chunkings


@pytest.mark.parametrize("dtype", ["float64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("axis", [0, -1])
def test_sort_and_argsort_across_chunks(rng, dtype, axis):
    host = (rng.random((9, 7)) * 20).astype(dtype)
    if dtype == "float64":
        host[2, 3] = np.nan
    for chunks in chunkings(host.shape):
        x = ts.asarray(host, chunks=chunks)
        assert_array_matches(ts.sort(x, axis=axis), np.sort(host, axis=axis, kind="stable"))
        assert_array_matches(ts.argsort(x, axis=axis), np.argsort(host, axis=axis, kind="stable"))
        assert_array_matches(ts.sort(x, axis=axis, descending=True),
                             np.flip(np.sort(host, axis=axis), axis=axis) if dtype != "float64"
                             else _descending_nan_last(host, axis))


def test_sort_of_many_blocks(rng):
    # Every output block merges slices of all 250 runs: the co-rank selection at scale,
    # ties and NaNs included, in both directions and along an axis of a 2-d array.
    host = np.round(rng.standard_normal(20_000), 2)
    host[rng.integers(0, host.size, 50)] = np.nan
    x = ts.asarray(host, chunks=80)
    assert_array_matches(ts.sort(x), np.sort(host))
    assert_array_matches(ts.argsort(x), np.argsort(host, kind="stable"))
    assert_array_matches(ts.sort(x, descending=True), _descending_nan_last(host, 0))
    assert_array_matches(ts.unique_values(x), np.sort(np.unique_values(host)))  # each NaN its own value
    grid = host.reshape(400, 50)
    y = ts.asarray(grid, chunks=(4, 25))
    assert_array_matches(ts.argsort(y, axis=0), np.argsort(grid, axis=0, kind="stable"))


def _descending_nan_last(host, axis):
    ordered = -np.sort(-host, axis=axis, kind="stable")
    return ordered


def test_unique_family_matches_numpy(rng):
    host = rng.integers(0, 6, size=(5, 8))
    for chunks in chunkings(host.shape):
        x = ts.asarray(host, chunks=chunks)
        expected = np.unique_all(host)
        got = ts.unique_all(x)
        assert_array_matches(got.values, expected.values)
        assert_array_matches(got.indices, expected.indices.astype(np.int64))
        assert_array_matches(got.inverse_indices, expected.inverse_indices.astype(np.int64))
        assert_array_matches(got.counts, expected.counts.astype(np.int64))
        # The standard leaves unique_values unordered (NumPy 2.3 hashes); tessera sorts.
        assert_array_matches(ts.unique_values(x), np.sort(np.unique_values(host)))


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint16", "int16"])
def test_unique_values_of_large_blocks_with_few_and_many_values(rng, dtype):
    # Blocks of 5000 with few values each (their first elements alone are merged), and one
    # with 5000 distinct values (sorted whole); NaNs, each a value of its own.
    host = rng.integers(-20, 20, size=20_000).astype(dtype)
    host[5000:10_000] = rng.permutation(5000).astype(dtype)
    if dtype.startswith("float"):
        host[::97] = np.nan
    x = ts.asarray(host, chunks=5000)
    assert_array_matches(ts.unique_values(x), np.sort(np.unique_values(host)))
    # Counts: of every block with few values (the first 5000 alone), and of all of x.
    for part in (host[:5000], host):
        expected = np.unique_counts(part)
        order = np.argsort(expected.values, kind="stable")  # NumPy may leave them unordered
        got = ts.unique_counts(ts.asarray(part, chunks=1000))
        assert_array_matches(got.values, expected.values[order])
        assert_array_matches(got.counts, expected.counts[order].astype(np.int64))


def test_nonzero_argwhere_and_masks(rng):
    host = rng.random((6, 5))
    for chunks in chunkings(host.shape):
        x = ts.asarray(host, chunks=chunks)
        for got, expected in zip(ts.nonzero(x > 0.5), np.nonzero(host > 0.5)):
            assert_array_matches(got, expected.astype(np.int64))
        assert_array_matches(ts.argwhere(x > 0.5), np.argwhere(host > 0.5).astype(np.int64))
        assert_array_matches(x[x > 0.5], host[host > 0.5])
        assert x[x > 0.5].shape == host[host > 0.5].shape  # the size is known, not NaN
        assert_array_matches(ts.count_nonzero(x > 0.5, axis=0), np.count_nonzero(host > 0.5, axis=0))


@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(rng, side):
    sorted_host = np.sort(rng.integers(0, 50, size=40))
    values = rng.integers(-5, 55, size=17)
    got = ts.searchsorted(ts.asarray(sorted_host, chunks=7), ts.asarray(values, chunks=5), side=side)
    assert_array_matches(got, np.searchsorted(sorted_host, values, side=side).astype(np.int64))


def test_bad_input_errors():
    x = ts.asarray(np.arange(6.0))
    with pytest.raises(IndexError):
        ts.sort(x, axis=2)
    with pytest.raises(ValueError):
        ts.searchsorted(x, x, side="middle")
    with pytest.raises(IndexError):
        x[ts.asarray(np.array([True, False]))]
