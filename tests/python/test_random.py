"""tessera.random: shapes, dtypes and ranges; a seed gives the same values whatever the
chunking; generators' successive draws differ; the moments are those of the distribution.

Statistical checks use 1e5 samples and 5-sigma bounds computed from the distribution, with
fixed seeds: they cannot flake (the values are fixed by the seed)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tessera as ts

N = 100_000


def five_sigma_mean(std, n=N):
    return 5 * std / math.sqrt(n)


# ---- shapes, dtypes, ranges ----

@pytest.mark.parametrize("size,shape", [(None, ()), (5, (5,)), ((3, 4), (3, 4)), ((2, 0, 3), (2, 0, 3)),
                                        ([2, 3], (2, 3))])
def test_shapes(size, shape):
    draws = [ts.random.random(size), ts.random.uniform(1, 2, size), ts.random.normal(0, 1, size),
             ts.random.integers(0, 5, size)]
    for x in draws:
        assert isinstance(x, ts.Array)
        assert x.shape == shape
        assert x.compute().shape == shape


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float_dtypes_and_ranges(dtype):
    x = ts.random.random(N, dtype=dtype, seed=1, chunks=10_000).compute()
    assert x.dtype == np.dtype(dtype)
    assert x.min() >= 0 and x.max() < 1
    u = ts.random.uniform(-2.0, 5.0, size=N, dtype=dtype, seed=2).compute()
    assert u.dtype == np.dtype(dtype)
    assert u.min() >= -2.0 and u.max() < 5.0
    n = ts.random.normal(3.0, 2.0, size=N, dtype=dtype, seed=3).compute()
    assert n.dtype == np.dtype(dtype)
    assert np.isfinite(n).all()
    assert ts.random.random(3).dtype == np.float64  # default


@pytest.mark.parametrize("dtype,low,high", [("int8", -5, 10), ("int32", -100, 100), ("int64", 0, 2**40),
                                           ("uint8", 0, 256), ("uint64", 3, 7), ("int64", -(2**62), 2**62)])
def test_integer_dtypes_and_ranges(dtype, low, high):
    x = ts.random.integers(low, high, size=N, dtype=dtype, seed=4, chunks=30_000).compute()
    assert x.dtype == np.dtype(dtype)
    assert x.min() >= low and x.max() < high
    if high - low <= 256:
        # every value of a small range appears
        assert len(np.unique(x)) == high - low


def test_integers_with_one_bound():
    x = ts.random.integers(5, size=(30, 30), seed=1).compute()
    assert x.dtype == np.int64
    assert set(np.unique(x)) == {0, 1, 2, 3, 4}


def test_bad_arguments():
    with pytest.raises(ValueError, match="5"):
        ts.random.integers(5, 5, size=3)
    with pytest.raises(TypeError, match="int32"):
        ts.random.uniform(size=3, dtype="int32")


# ---- reproducibility ----

@pytest.mark.parametrize("draw", [
    lambda seed, chunks: ts.random.random((37, 23), seed=seed, chunks=chunks),
    lambda seed, chunks: ts.random.uniform(-1, 1, (37, 23), seed=seed, chunks=chunks),
    lambda seed, chunks: ts.random.normal(2, 3, (37, 23), seed=seed, chunks=chunks),
    lambda seed, chunks: ts.random.integers(0, 1000, (37, 23), seed=seed, chunks=chunks),
    lambda seed, chunks: ts.random.normal(0, 1, (37, 23), dtype="float32", seed=seed, chunks=chunks),
], ids=["random", "uniform", "normal", "integers", "normal-float32"])
def test_same_seed_same_values_regardless_of_chunks(draw):
    reference = draw(11, -1).compute()
    for chunks in [1, 5, (36, 1), (7, 23), ((30, 7), (1, 22)), "auto"]:
        np.testing.assert_array_equal(draw(11, chunks).compute(), reference, err_msg=f"chunks={chunks}")
    assert not np.array_equal(draw(12, -1).compute(), reference)


def test_seeded_arrays_do_not_depend_on_the_client():
    reference = ts.random.normal(size=(50, 40), seed=21, chunks=7).compute()
    client = ts.Client(n_workers=2, set_as_default=False)
    np.testing.assert_array_equal(ts.random.normal(size=(50, 40), seed=21, chunks=13).compute(client=client), reference)
    client.close()


def test_default_rng_streams():
    rng = ts.random.default_rng(7)
    first, second = rng.random(1000).compute(), rng.random(1000).compute()
    assert not np.array_equal(first, second)
    again = ts.random.default_rng(7)
    np.testing.assert_array_equal(again.random(1000).compute(), first)
    np.testing.assert_array_equal(again.random(1000).compute(), second)
    other = ts.random.default_rng(8)
    assert not np.array_equal(other.random(1000).compute(), first)
    # each method draws a new stream
    rng = ts.random.default_rng(1)
    draws = [rng.normal(size=100).compute(), rng.standard_normal(size=100).compute(),
             rng.uniform(size=100).compute(), rng.integers(0, 10**9, size=100).compute()]
    for i in range(len(draws)):
        for j in range(i):
            assert not np.array_equal(draws[i], draws[j])


def test_default_rng_chunking_invariance():
    a = ts.random.default_rng(3).normal(size=(20, 20), chunks=3).compute()
    b = ts.random.default_rng(3).normal(size=(20, 20), chunks=20).compute()
    np.testing.assert_array_equal(a, b)


def test_module_seed():
    ts.random.seed(99)
    a = ts.random.random(50).compute()
    b = ts.random.random(50).compute()
    ts.random.seed(99)
    np.testing.assert_array_equal(ts.random.random(50).compute(), a)
    assert not np.array_equal(a, b)


def test_unseeded_draws_differ():
    assert not np.array_equal(ts.random.random(100).compute(), ts.random.random(100).compute())
    assert not np.array_equal(ts.random.default_rng().random(100).compute(),
                              ts.random.default_rng().random(100).compute())


# ---- moments ----

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_moments(dtype):
    low, high = -2.0, 5.0
    x = ts.random.uniform(low, high, size=N, dtype=dtype, seed=31, chunks=25_000).compute().astype(np.float64)
    std = (high - low) / math.sqrt(12)
    assert abs(x.mean() - (low + high) / 2) < five_sigma_mean(std)
    # The sample variance's standard error: sqrt((mu4 - sigma^4) / n), mu4 = 9/5 sigma^4 for a uniform.
    assert abs(x.var() - std**2) < 5 * std**2 * math.sqrt(0.8 / N)
    # each tenth of the range holds a tenth of the values (binomial 5 sigma)
    counts = np.histogram(x, bins=10, range=(low, high))[0]
    assert np.all(np.abs(counts - N / 10) < 5 * math.sqrt(N * 0.1 * 0.9))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_moments(dtype):
    loc, scale = 3.0, 2.0
    x = ts.random.normal(loc, scale, size=N, dtype=dtype, seed=32, chunks=30_000).compute().astype(np.float64)
    assert abs(x.mean() - loc) < five_sigma_mean(scale)
    # The sample variance's standard error for a normal: sigma^2 sqrt(2 / n).
    assert abs(x.var() - scale**2) < 5 * scale**2 * math.sqrt(2 / N)
    # 68.27% within one sigma
    inside = np.mean(np.abs(x - loc) < scale)
    assert abs(inside - 0.682689) < 5 * math.sqrt(0.682689 * 0.317311 / N)
    # symmetric
    assert abs(np.mean(x > loc) - 0.5) < 5 * math.sqrt(0.25 / N)


def test_standard_normal_moments():
    x = ts.random.default_rng(33).standard_normal(size=N).compute()
    assert abs(x.mean()) < five_sigma_mean(1.0)
    assert abs(x.var() - 1) < 5 * math.sqrt(2 / N)


def test_integers_are_uniform():
    low, high = -7, 8
    k = high - low
    x = ts.random.integers(low, high, size=N, seed=34, chunks=10_000).compute()
    counts = np.bincount(x - low, minlength=k)
    assert len(counts) == k
    p = 1 / k
    assert np.all(np.abs(counts - N * p) < 5 * math.sqrt(N * p * (1 - p)))


def test_random_arrays_compose_lazily():
    x = ts.random.random((200, 300), seed=41, chunks=(64, 100))
    y = (x - x.mean(axis=0)).std(axis=0)
    host = ts.random.random((200, 300), seed=41, chunks=-1).compute()
    np.testing.assert_allclose(y.compute(), (host - host.mean(axis=0)).std(axis=0), rtol=1e-12)
