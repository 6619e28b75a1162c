"""Linear algebra, map_overlap, reshaping, scans, take and setitem against NumPy."""
import numpy as np
import pytest

import tessera as ts
from conftest import assert_array_matches


def test_matmul_with_batch_broadcasting(rng):
    a, b = rng.random((3, 4, 5)), rng.random((5, 6))
    assert_array_matches(ts.asarray(a, chunks=2) @ ts.asarray(b, chunks=3), a @ b)
    c = rng.random((1, 5, 2))
    assert_array_matches(ts.matmul(ts.asarray(a, chunks=(1, 3, 2)), ts.asarray(c, chunks=2)), a @ c)
    v = rng.random(5)
    assert_array_matches(ts.asarray(a, chunks=2) @ ts.asarray(v, chunks=2), a @ v)
    with pytest.raises(ValueError):
        ts.asarray(a) @ ts.asarray(rng.random((4, 4)))


def test_tensordot_vecdot_outer(rng):
    a, b = rng.random((3, 4, 5)), rng.random((4, 5, 2))
    x, y = ts.asarray(a, chunks=2), ts.asarray(b, chunks=3)
    assert_array_matches(ts.tensordot(x, y, axes=2), np.tensordot(a, b, axes=2))
    assert_array_matches(ts.tensordot(x, y, axes=([1], [0])), np.tensordot(a, b, axes=([1], [0])))
    z = (rng.random((3, 4)) + 1j * rng.random((3, 4)))
    assert_array_matches(ts.vecdot(ts.asarray(z, chunks=2), ts.asarray(z, chunks=3)), np.vecdot(z, z))
    u, w = rng.random(4), rng.random(6)
    assert_array_matches(ts.linalg.outer(ts.asarray(u, chunks=3), ts.asarray(w, chunks=4)), np.outer(u, w))


@pytest.mark.parametrize("boundary, mode", [("reflect", "symmetric"), ("periodic", "wrap"), (0.5, "constant")])
def test_map_overlap_laplacian(rng, boundary, mode):
    host = rng.random((11, 9))

    def laplacian(block):
        out = np.zeros_like(block)
        out[1:-1, 1:-1] = (4 * block[1:-1, 1:-1] - block[:-2, 1:-1] - block[2:, 1:-1]
                           - block[1:-1, :-2] - block[1:-1, 2:])
        return out

    padded = np.pad(host, 1, mode=mode, **({"constant_values": 0.5} if mode == "constant" else {}))
    expected = laplacian(padded)[1:-1, 1:-1]
    got = ts.map_overlap(laplacian, ts.asarray(host, chunks=(4, 3)), depth=1, boundary=boundary)
    assert_array_matches(got, expected)


def test_map_blocks_with_numpy_functions(rng):
    host = rng.random((7, 5))
    got = ts.map_blocks(lambda b, k: np.sqrt(b) * k, ts.asarray(host, chunks=3), 2.0)
    assert_array_matches(got, np.sqrt(host) * 2.0)
    with pytest.raises(ValueError):
        ts.map_blocks(lambda b: b[:1], ts.asarray(host, chunks=3)).compute()


@pytest.mark.parametrize("shape, new", [((6, 4), (4, 6)), ((6, 4), (24,)), ((2, 3, 4), (6, -1)), ((24,), (2, 3, 4))])
def test_reshape(shape, new):
    host = np.arange(np.prod(shape)).reshape(shape)
    for chunks in (1, 2, 5, -1):
        assert_array_matches(ts.reshape(ts.asarray(host, chunks=chunks), new), host.reshape(new))
    with pytest.raises(ValueError):
        ts.reshape(ts.asarray(host), (5, 5))


def test_moveaxis_roll_tile_repeat(rng):
    host = rng.random((3, 4, 5))
    x = ts.asarray(host, chunks=2)
    assert_array_matches(ts.moveaxis(x, 0, -1), np.moveaxis(host, 0, -1))
    assert_array_matches(ts.roll(x, 3, axis=1), np.roll(host, 3, axis=1))
    assert_array_matches(ts.roll(x, -7), np.roll(host, -7))
    assert_array_matches(ts.tile(x, (2, 1, 3)), np.tile(host, (2, 1, 3)))
    assert_array_matches(ts.repeat(x, 3, axis=2), np.repeat(host, 3, axis=2))


@pytest.mark.parametrize("dtype", ["int8", "int64", "float64"])
def test_cumulative_scans(rng, dtype):
    host = rng.integers(-3, 4, size=(6, 7)).astype(dtype)
    x = ts.asarray(host, chunks=(4, 3))
    assert_array_matches(ts.cumulative_sum(x, axis=1), np.cumulative_sum(host, axis=1), rtol=1e-12)
    assert_array_matches(ts.cumulative_prod(x, axis=0), np.cumulative_prod(host, axis=0), rtol=1e-12)
    assert_array_matches(ts.cumulative_sum(x, axis=0, include_initial=True),
                         np.cumulative_sum(host, axis=0, include_initial=True), rtol=1e-12)
    assert_array_matches(x.cumsum(), host.cumsum(), rtol=1e-12)


def test_take_integer_arrays_and_setitem(rng):
    host = rng.random((8, 6))
    x = ts.asarray(host, chunks=3)
    idx = np.array([7, 0, -1, 3, 3])
    assert_array_matches(ts.take(x, ts.asarray(idx), axis=0), np.take(host, idx, axis=0))
    assert_array_matches(x[:, [5, 1]], host[:, [5, 1]])
    with pytest.raises(IndexError):
        ts.take(x, ts.asarray(np.array([8])), axis=0)
    expected = host.copy()
    expected[1:7:2, ::-2] = -1.0
    y = ts.asarray(host, chunks=3)
    y[1:7:2, ::-2] = -1.0
    assert_array_matches(y, expected)
    expected[0] = np.arange(6)
    y[0] = ts.arange(6)
    assert_array_matches(y, expected)
    expected[expected > 0.5] = 9
    y[y > 0.5] = 9
    assert_array_matches(y, expected)
