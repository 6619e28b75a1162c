"""Indexing (tessera/_indexing.py, Array.__getitem__) against NumPy: integers, negative
integers, slices with any step, None, Ellipsis; out-of-range and malformed indices raise
IndexError; boolean masks; iteration."""
from __future__ import annotations

import operator

import numpy as np
import pytest

import tessera as ts
from conftest import CHUNKING_IDS, assert_array_matches, chunkings, sample

SHAPE = (5, 6, 7)

BASIC_KEYS = [
    0, -1, 4, -5, np.int64(2), np.int8(-1),
    (1, 2), (1, -2, 3), (0, 0, 0), (-1, -1, -1),
    slice(None), slice(1, 4), slice(None, None, 2), slice(None, None, -1), slice(4, 0, -2), slice(-2, None),
    slice(10, 20), slice(-100, 100), slice(3, 1), slice(None, None, 3), slice(-1, -6, -4),
    (slice(None), 2), (slice(None), slice(None), -3), (slice(1, None, 2), slice(None, 1, -1)),
    (slice(None, None, -1), slice(5, None, -2), slice(-1, -8, -3)),
    (Ellipsis, 1), (1, Ellipsis), (1, Ellipsis, 2), (Ellipsis,), (), (Ellipsis, slice(None, None, -2)),
    None, (None,), (None, 1, None), (Ellipsis, None), (slice(1, 3), None, slice(None, None, -3), 0),
    (None, Ellipsis, None), (0, None, Ellipsis, None, -1),
    (np.int64(1), slice(np.int64(1), np.int64(5), np.int64(2))),
]


def _id(key):
    return repr(key).replace("slice", "s").replace("Ellipsis", "...")


@pytest.mark.parametrize("chunking", range(3), ids=CHUNKING_IDS)
@pytest.mark.parametrize("key", BASIC_KEYS, ids=_id)
def test_basic_indexing(rng, key, chunking):
    host = sample(rng, SHAPE, "int32")
    x = ts.asarray(host, chunks=chunkings(SHAPE)[chunking])
    assert_array_matches(x[key], host[key])


def test_chained_indexing_and_arithmetic(rng):
    host = sample(rng, SHAPE, "float64")
    x = ts.asarray(host, chunks=(2, 4, 3))
    assert_array_matches(x[1:][::-1, 2][:, ::2], host[1:][::-1, 2][:, ::2])
    assert_array_matches((x[:, 1:] + x[:, :-1])[..., ::3], (host[:, 1:] + host[:, :-1])[..., ::3])
    assert_array_matches(x.T[2, ::-2], host.T[2, ::-2])


@pytest.mark.parametrize("shape", [(), (0,), (1,), (0, 3)])
def test_indexing_edge_shapes(shape):
    host = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    x = ts.asarray(host, chunks=chunkings(shape)[1])
    for key in [(), (Ellipsis,), None, (None, Ellipsis)] + ([slice(None), slice(None, None, -1), slice(1, 0)]
                                                            if host.ndim else []):
        assert_array_matches(x[key], host[key], context=repr(key))


@pytest.mark.parametrize("key", [5, -6, (0, 6), (0, 0, 7), (0, 0, -8), (slice(None), -7)])
def test_out_of_range_integer(key):
    host = np.zeros(SHAPE)
    with pytest.raises(IndexError) as numpy_error:
        host[key]
    x = ts.asarray(host, chunks=2)
    with pytest.raises(IndexError) as error:
        x[key]
    # The message names the index, the axis and its length, as NumPy's.
    assert str(error.value) == str(numpy_error.value)


@pytest.mark.parametrize("key", [(1, 2, 3, 4), 1.5, "a", (Ellipsis, Ellipsis), (0, 1.0)])
def test_malformed_indices(key):
    x = ts.asarray(np.zeros(SHAPE), chunks=2)
    with pytest.raises(IndexError):
        x[key]


@pytest.mark.parametrize("key", [True, (Ellipsis, True)], ids=repr)
def test_python_bool_index(key):
    host = np.arange(12).reshape(3, 4)
    assert_array_matches(ts.asarray(host, chunks=2)[key], host[key])


@pytest.mark.parametrize("key", [False, (0, False)], ids=repr)
def test_python_false_index_is_refused_not_read_as_zero(key):
    # NumPy reads False as an empty 0-d mask; tessera refuses it rather than index row 0.
    with pytest.raises(IndexError, match="False"):
        ts.asarray(np.arange(12).reshape(3, 4), chunks=2)[key]


def test_zero_step_slice():
    with pytest.raises(ValueError):
        ts.asarray(np.zeros(4))[::0]


def test_0d_tessera_integer_as_an_index():
    i = ts.asarray(np.int64(4))
    assert operator.index(i) == 4
    assert list(range(10))[i] == 4
    with pytest.raises(TypeError):
        operator.index(ts.asarray(2.0))


def test_index_with_0d_integer_arrays():
    host = np.arange(10) * 3
    x = ts.asarray(host, chunks=3)
    assert_array_matches(x[ts.asarray(np.int64(4))], host[np.asarray(4)])
    assert_array_matches(x[np.asarray(4)], host[np.asarray(4)])


# ---- boolean masks ----

@pytest.mark.parametrize("chunking", range(3), ids=CHUNKING_IDS)
def test_boolean_mask(rng, chunking):
    host = sample(rng, (4, 5), "float64")
    chunks = chunkings(host.shape)[chunking]
    x = ts.asarray(host, chunks=chunks)
    mask = host > 0
    assert_array_matches(x[mask], host[mask])
    assert_array_matches(x[ts.asarray(mask, chunks=chunks)], host[mask])
    assert_array_matches(x[x > 0.5], host[host > 0.5])
    assert_array_matches(x[mask[:, 0]], host[mask[:, 0]])
    assert_array_matches(x[:, mask[0]], host[:, mask[0]])
    assert_array_matches(x[np.zeros_like(mask)], host[np.zeros_like(mask)])
    # a mask with other indices after it, or after full slices: the selection stays in place
    rows, cols = mask[:, 0], mask[0]
    for key in [(rows, slice(1, 3)), (rows, 1), (rows, slice(None, None, -2)), (slice(None), cols, None),
                (Ellipsis, cols), (rows, Ellipsis)]:
        assert_array_matches(x[key], host[key], context=repr(key))
    cube = sample(rng, (3, 4, 5), "int32")
    y = ts.asarray(cube, chunks=2)
    for key in [(slice(None), cube[0, :, 0] > 0), (slice(None), cube[0] > 0), (slice(None), cube[0, :, 0] > 0, 2),
                (slice(None), slice(None), cube[0, 0] > 0), (cube[:, :, 0] > 0, slice(1, None))]:
        assert_array_matches(y[key], cube[key], context=repr(key))


# ---- integer arrays and setitem (Python spelling exists; the native side is not there yet) ----

def test_integer_array_index():
    host = np.arange(30.0).reshape(5, 6)
    x = ts.asarray(host, chunks=2)
    assert_array_matches(x[np.array([0, 3, -1])], host[np.array([0, 3, -1])])
    assert_array_matches(x[:, [5, 0]], host[:, [5, 0]])
    assert_array_matches(ts.take(x, np.array([1, 2]), axis=1), np.take(host, [1, 2], axis=1))


def test_setitem_basic():
    host = np.arange(12.0).reshape(3, 4)
    x = ts.asarray(host.copy(), chunks=2)
    x[1, 2] = -5.0
    x[:, 0] = ts.asarray(np.array([7.0, 8.0, 9.0]))
    host[1, 2] = -5.0
    host[:, 0] = [7.0, 8.0, 9.0]
    assert_array_matches(x, host)


def test_setitem_boolean_mask():
    host = np.arange(12.0).reshape(3, 4)
    x = ts.asarray(host, chunks=2)
    x[x > 5] = 0.0
    expected = host.copy()
    expected[expected > 5] = 0.0
    assert_array_matches(x, expected)
    np.testing.assert_array_equal(host, np.arange(12.0).reshape(3, 4))  # the source stays as it was


# ---- iteration ----

def test_iteration_and_len():
    host = np.arange(12).reshape(4, 3)
    x = ts.asarray(host, chunks=3)
    assert len(x) == 4
    rows = list(x)
    assert len(rows) == 4
    for row, expected in zip(rows, host):
        assert_array_matches(row, expected)
    with pytest.raises(TypeError):
        len(ts.asarray(np.asarray(1.0)))
    with pytest.raises(TypeError):
        iter(ts.asarray(np.asarray(1.0))).__next__()
