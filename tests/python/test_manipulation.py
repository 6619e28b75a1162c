"""Shape manipulation (tessera/_manipulation.py, Array.T/mT/transpose/rechunk) against NumPy,
over chunkings and dtypes."""
from __future__ import annotations

import numpy as np
import pytest

import tessera as ts
from conftest import CHUNKING_IDS, assert_array_matches, chunkings, sample

SHAPE = (2, 3, 4)


@pytest.fixture(params=range(3), ids=CHUNKING_IDS)
def host_and_array(request, rng):
    host = sample(rng, SHAPE, "float64")
    return host, ts.asarray(host, chunks=chunkings(SHAPE)[request.param])


# ---- transposes ----

@pytest.mark.parametrize("axes", [(0, 1, 2), (2, 0, 1), (1, 0, 2), (2, 1, 0), (-1, 0, -2)])
def test_permute_dims(host_and_array, axes):
    host, x = host_and_array
    assert_array_matches(ts.permute_dims(x, axes), np.transpose(host, axes))
    assert_array_matches(ts.transpose(x, axes), np.transpose(host, axes))
    assert_array_matches(x.transpose(*axes), host.transpose(*axes))
    assert_array_matches(x.transpose(axes), host.transpose(axes))


def test_transpose_defaults(host_and_array):
    host, x = host_and_array
    assert_array_matches(x.T, host.T)
    assert_array_matches(ts.transpose(x), host.T)
    assert_array_matches(x.transpose(), host.transpose())
    assert_array_matches(x.mT, np.swapaxes(host, -1, -2))
    assert_array_matches(ts.matrix_transpose(x), np.swapaxes(host, -1, -2))
    assert_array_matches(ts.linalg.matrix_transpose(x), np.swapaxes(host, -1, -2))
    assert_array_matches(x.T.T, host)


def test_transpose_chunks_follow_the_axes():
    x = ts.asarray(np.zeros((4, 6)), chunks=(3, 2))
    assert x.T.chunks == ((2, 2, 2), (3, 1))


def test_transpose_of_vectors_and_scalars():
    v = np.arange(5.0)
    assert_array_matches(ts.asarray(v, chunks=2).T, v.T)
    s = np.asarray(3.0)
    assert_array_matches(ts.asarray(s).T, s.T)


def test_matrix_transpose_needs_two_dimensions():
    with pytest.raises(ValueError):
        ts.asarray(np.arange(3.0)).mT


# ---- broadcasting ----

@pytest.mark.parametrize("source,target", [((3, 4), (2, 3, 4)), ((3, 1), (3, 5)), ((1,), (4,)), ((), (2, 2)),
                                           ((4,), (0, 4)), ((1, 4), (3, 4)), ((2, 1, 4), (2, 3, 4))])
def test_broadcast_to(rng, source, target):
    host = sample(rng, source, "int32")
    for chunks in chunkings(source):
        got = ts.broadcast_to(ts.asarray(host, chunks=chunks), target)
        assert_array_matches(got, np.broadcast_to(host, target), context=f"chunks={chunks}")


def test_broadcast_to_incompatible():
    with pytest.raises(ValueError, match=r"\(3, ?4\)"):
        ts.broadcast_to(ts.zeros((3, 4)), (3, 5))
    with pytest.raises(ValueError):
        ts.broadcast_to(ts.zeros((3, 4)), (4,))


def test_broadcast_arrays(rng):
    a, b, c = sample(rng, (2, 1, 4), "float32"), sample(rng, (3, 1), "int8"), np.asarray(7)
    got = ts.broadcast_arrays(ts.asarray(a, chunks=1), ts.asarray(b, chunks=2), c)
    expected = np.broadcast_arrays(a, b, c)
    assert len(got) == 3
    for g, e in zip(got, expected):
        assert_array_matches(g, e)
    assert ts.broadcast_shapes((2, 1, 4), (3, 1), ()) == np.broadcast_shapes((2, 1, 4), (3, 1), ())
    with pytest.raises(ValueError):
        ts.broadcast_shapes((2, 3), (4,))


# ---- adding and removing axes ----

@pytest.mark.parametrize("axis", [0, 1, 3, -1, -4, (0, 1), (0, -1), (-1, -3), (0, 2, 4)])
def test_expand_dims(host_and_array, axis):
    host, x = host_and_array
    assert_array_matches(ts.expand_dims(x, axis=axis), np.expand_dims(host, axis))


def test_expand_dims_repeated_axis():
    x = ts.zeros((2, 3))
    for axis in [(0, 0), (0, -4), (1, -3)]:
        with pytest.raises(ValueError, match="repeated axis"):
            np.expand_dims(np.zeros((2, 3)), axis)
        with pytest.raises(ValueError, match="repeated axis"):
            ts.expand_dims(x, axis=axis)
    with pytest.raises((IndexError, ValueError), match="out of bounds"):
        ts.expand_dims(x, axis=(0, 5))


@pytest.mark.parametrize("axis", [None, 0, 2, -3, (0, 2), (0, -1)])
def test_squeeze(rng, axis):
    host = sample(rng, (1, 3, 1, 2, 1), "int64")
    for chunks in chunkings(host.shape):
        assert_array_matches(ts.squeeze(ts.asarray(host, chunks=chunks), axis=axis), np.squeeze(host, axis),
                             context=f"chunks={chunks}")


def test_squeeze_a_long_axis_is_an_error():
    with pytest.raises(ValueError):
        ts.squeeze(ts.zeros((1, 3)), axis=1)


# ---- flip ----

@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (-1, -2, 0)])
def test_flip(host_and_array, axis):
    host, x = host_and_array
    assert_array_matches(ts.flip(x, axis=axis), np.flip(host, axis))


# ---- joins ----

@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_concat(rng, axis):
    shapes = [list(SHAPE) for _ in range(3)]
    for i, shape in enumerate(shapes):
        shape[axis] = i + 1
    hosts = [sample(rng, s, d) for s, d in zip(shapes, ("float64", "int32", "float32"))]
    arrays = [ts.asarray(h, chunks=chunkings(h.shape)[i]) for i, h in enumerate(hosts)]
    assert_array_matches(ts.concat(arrays, axis=axis), np.concatenate(hosts, axis=axis))
    assert_array_matches(ts.concatenate(arrays, axis=axis), np.concatenate(hosts, axis=axis))


def test_concat_with_empty_and_single():
    a, b = np.arange(6.0).reshape(2, 3), np.zeros((0, 3))
    assert_array_matches(ts.concat([ts.asarray(a), ts.asarray(b, chunks=((0,), (3,)))]), np.concatenate([a, b]))
    assert_array_matches(ts.concat([ts.asarray(a, chunks=1)]), a)
    assert_array_matches(ts.concat([ts.asarray(np.arange(3)), np.arange(2)], axis=None),
                         np.concatenate([np.arange(3), np.arange(2)], axis=None))


def test_concat_axis_none_flattens():
    a = np.arange(6.0).reshape(2, 3)
    assert_array_matches(ts.concat([ts.asarray(a), ts.asarray(a)], axis=None), np.concatenate([a, a], axis=None))


def test_concat_mismatched_shapes():
    with pytest.raises(ValueError):
        ts.concat([ts.zeros((2, 3)), ts.zeros((2, 4))], axis=0)


@pytest.mark.parametrize("axis", [0, 1, 3, -1, -4])
def test_stack(rng, axis):
    hosts = [sample(rng, SHAPE, "float64") for _ in range(3)]
    arrays = [ts.asarray(h, chunks=chunkings(SHAPE)[i]) for i, h in enumerate(hosts)]
    assert_array_matches(ts.stack(arrays, axis=axis), np.stack(hosts, axis=axis))


def test_stack_mismatched_shapes():
    with pytest.raises(ValueError):
        ts.stack([ts.zeros((2, 3)), ts.zeros((3, 2))])


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_unstack(host_and_array, axis):
    host, x = host_and_array
    parts = ts.unstack(x, axis=axis)
    expected = [np.take(host, i, axis=axis) for i in range(host.shape[axis])]
    assert isinstance(parts, tuple) and len(parts) == len(expected)
    for p, e in zip(parts, expected):
        assert_array_matches(p, e)
    with pytest.raises(ValueError):
        ts.unstack(x, axis=3)


def test_stack_then_unstack_roundtrip(rng):
    hosts = [sample(rng, (3, 2), "int8") for _ in range(4)]
    parts = ts.unstack(ts.stack([ts.asarray(h) for h in hosts], axis=1), axis=1)
    for p, h in zip(parts, hosts):
        assert_array_matches(p, h)


# ---- rechunk ----

@pytest.mark.parametrize("chunks,expected", [
    ((2, 1, 4), ((2,), (1, 1, 1), (4,))),
    (((1, 1), (2, 1), (1, 1, 2)), ((1, 1), (2, 1), (1, 1, 2))),
    (-1, ((2,), (3,), (4,))),
    (1, ((1, 1), (1, 1, 1), (1, 1, 1, 1))),
    ((None, 2, -1), ((1, 1), (2, 1), (4,))),  # as dask's rechunk: None keeps the axis' chunks
])
def test_rechunk(rng, chunks, expected):
    host = sample(rng, SHAPE, "complex128")
    x = ts.asarray(host, chunks=1)  # None keeps these
    y = x.rechunk(chunks)
    assert y.chunks == expected
    assert_array_matches(y, host)
    assert_array_matches(y + x, host + host)  # operands with different grids


def test_rechunk_auto_and_bad_chunks():
    host = np.arange(20.0).reshape(4, 5)
    x = ts.asarray(host, chunks=1)
    assert_array_matches(x.rechunk("auto"), host)
    with pytest.raises(ValueError, match="4"):
        x.rechunk(((1, 2), (5,)))  # does not cover axis 0 of length 4
