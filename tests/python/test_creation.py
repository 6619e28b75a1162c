"""Array creation (tessera/_creation.py) against NumPy: from host data, constants, ranges,
identity matrices, triangles and grids; dtypes and chunk grids."""
from __future__ import annotations

import numpy as np
import pytest

import tessera as ts
from conftest import CHUNKING_IDS, DTYPES, assert_array_matches, chunkings, sample


# ---- asarray / from_array ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (4, 5), (2, 0, 3), (3, 2, 4)])
def test_asarray_roundtrip(rng, dtype, shape):
    host = sample(rng, shape, dtype)
    for chunks in chunkings(shape):
        x = ts.asarray(host, chunks=chunks)
        assert_array_matches(x, host, context=f"chunks={chunks}")


def test_asarray_shares_contiguous_numpy_memory():
    host = np.arange(12.0).reshape(3, 4)
    x = ts.asarray(host)
    host[0, 0] = 100.0  # as in dask: later writes to a shared array show through
    assert x.compute()[0, 0] == 100.0


def test_asarray_copy_true_does_not_share():
    host = np.arange(12.0).reshape(3, 4)
    x = ts.asarray(host, copy=True)
    host[0, 0] = 100.0
    np.testing.assert_array_equal(x.compute(), np.arange(12.0).reshape(3, 4))


def test_asarray_copy_false_shares_or_refuses():
    host = np.arange(6.0)
    x = ts.asarray(host, copy=False)
    host[0] = 9.0
    assert x.compute()[0] == 9.0
    # copy=False never copies: where a copy is needed it raises (the array API's rule, as NumPy 2)
    for needs_copy in (np.arange(10.0)[::2], np.arange(12.0).reshape(3, 4).T, np.arange(3, dtype=">i4"), [1, 2]):
        with pytest.raises(ValueError):
            ts.asarray(needs_copy, copy=False)
    with pytest.raises(ValueError):
        ts.asarray(np.arange(3), dtype="float64", copy=False)
    with pytest.raises(ValueError, match="int64.*float32"):
        ts.asarray(ts.asarray(np.arange(3)), dtype="float32", copy=False)


@pytest.mark.parametrize("make", [
    lambda: np.arange(24.0).reshape(4, 6).T,               # Fortran order
    lambda: np.arange(30, dtype=np.int32)[::3],            # strided
    lambda: np.arange(24.0).reshape(4, 6)[::-1, 1::2],     # negative and positive steps
    lambda: np.arange(8, dtype=">i4"),                     # big-endian
], ids=["transposed", "strided", "reversed", "big-endian"])
def test_asarray_non_contiguous(make):
    host = make()
    expected = host.copy()
    x = ts.asarray(host, chunks=2)
    assert_array_matches(x, expected.astype(expected.dtype.newbyteorder("=")))
    # The copy made for a non-contiguous input is a snapshot.
    host[...] = 0
    np.testing.assert_array_equal(x.compute(), expected)


@pytest.mark.parametrize("value,dtype", [(5, np.int64), (-2.5, np.float64), (True, np.bool_), (1 - 2j, np.complex128),
                                         (np.float32(1.5), np.float32), (np.uint8(7), np.uint8)])
def test_asarray_scalars(value, dtype):
    x = ts.asarray(value)
    assert x.shape == () and x.ndim == 0
    assert_array_matches(x, np.asarray(value, dtype=dtype))
    assert x.item() == value


def test_asarray_scalar_with_dtype():
    assert_array_matches(ts.asarray(5, dtype="int8"), np.asarray(5, dtype=np.int8))
    assert_array_matches(ts.asarray(3, dtype=ts.float32), np.asarray(3, dtype=np.float32))


@pytest.mark.parametrize("obj", [[1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], [True, False], [[1, 2.5], [3, 4]],
                                 [1 + 1j, 2], (4, 5, 6), []])
def test_asarray_sequences(obj):
    assert_array_matches(ts.asarray(obj), np.asarray(obj))


def test_asarray_dtype_casts():
    host = np.arange(6, dtype=np.int64).reshape(2, 3)
    assert_array_matches(ts.asarray(host, dtype="float32"), host.astype(np.float32))
    x = ts.asarray(host)
    assert ts.asarray(x) is x
    assert_array_matches(ts.asarray(x, dtype=np.int8), host.astype(np.int8))


def test_asarray_objects_with_array_protocol():
    class HasArray:
        def __array__(self, dtype=None, copy=None):
            return np.arange(5.0)

    assert_array_matches(ts.asarray(HasArray()), np.arange(5.0))
    assert_array_matches(ts.asarray(memoryview(np.arange(4, dtype=np.int32))), np.arange(4, dtype=np.int32))


def test_from_array_chunks():
    host = np.arange(35.0).reshape(5, 7)
    x = ts.from_array(host, chunks=(2, 3))
    assert x.chunks == ((2, 2, 1), (3, 3, 1))
    assert x.numblocks == (3, 3)
    assert x.npartitions == 9
    assert x.chunksize == (2, 3)
    assert_array_matches(x, host)
    y = ts.from_array(host, chunks=((1, 4), (7,)))
    assert y.chunks == ((1, 4), (7,))
    assert_array_matches(y, host)
    z = ts.from_array(host, chunks=(-1, None))
    assert z.chunks == ((5,), (7,))


def test_array_attributes():
    host = np.zeros((3, 4), dtype=np.int32)
    x = ts.asarray(host, chunks=2)
    assert x.shape == (3, 4)
    assert x.ndim == 2
    assert x.size == 12
    assert x.dtype == np.dtype(np.int32)
    assert x.itemsize == 4
    assert x.nbytes == 48
    assert len(x) == 3
    assert x.device == "cpu" or x.device.startswith("cuda:")  # where the default client's cluster computes
    assert x.to_device(x.device) is x and x.to_device("cpu") is x
    assert_array_matches(ts.zeros(3, device=x.device), np.zeros(3))
    with pytest.raises(ValueError, match="places chunks itself"):
        ts.zeros(3, device="tpu")
    with pytest.raises(ValueError, match="places chunks itself"):
        x.to_device("cuda:7")
    assert "shape=(3, 4)" in repr(x) and "int32" in repr(x)


# ---- constants ----

@pytest.mark.parametrize("dtype", DTYPES)
def test_zeros_ones_empty(dtype):
    for shape in [(), (0,), (5,), (3, 4)]:
        assert_array_matches(ts.zeros(shape, dtype=dtype, chunks=2), np.zeros(shape, dtype=dtype))
        assert_array_matches(ts.ones(shape, dtype=dtype, chunks=2), np.ones(shape, dtype=dtype))
        empty = ts.empty(shape, dtype=dtype, chunks=2)
        assert empty.shape == shape and empty.dtype == np.dtype(dtype)


def test_default_dtypes():
    assert ts.zeros(3).dtype == np.float64
    assert ts.ones((2, 2)).dtype == np.float64
    assert ts.empty(2).dtype == np.float64
    assert_array_matches(ts.zeros(4), np.zeros(4))
    assert_array_matches(ts.ones(4), np.ones(4))


@pytest.mark.parametrize("fill", [7, -7.25, True, 2 - 1j, np.int16(7), np.float32(0.5), np.bool_(True), np.uint64(7)],
                         ids=["int", "float", "bool", "complex", "np.int16", "np.float32", "np.bool_", "np.uint64"])
def test_full_dtype_of_the_fill_value(fill):
    assert_array_matches(ts.full((3, 4), fill, chunks=2), np.full((3, 4), fill))


def test_full_uint64_above_int64_max():
    assert_array_matches(ts.full((3,), np.uint64(2**63 + 5)), np.full((3,), np.uint64(2**63 + 5)))


@pytest.mark.parametrize("fill,dtype", [(-1, "uint8"), (300, "int8"), (2**40, "int32")])
def test_full_out_of_range_fill(fill, dtype):
    with pytest.raises(OverflowError):
        np.full(3, fill, dtype=dtype)
    with pytest.raises(OverflowError):
        ts.full(3, fill, dtype=dtype).compute()


@pytest.mark.parametrize("dtype", ["int8", "uint8", "float32", "complex128", "bool"])
def test_full_with_dtype(dtype):
    assert_array_matches(ts.full((2, 5), 1, dtype=dtype, chunks=(1, 3)), np.full((2, 5), 1, dtype=dtype))


@pytest.mark.parametrize("like", ["zeros_like", "ones_like", "empty_like"])
def test_like_functions(like):
    host = np.arange(12, dtype=np.int8).reshape(3, 4)
    x = ts.asarray(host, chunks=(2, 3))
    out = getattr(ts, like)(x)
    assert out.chunks == x.chunks
    assert out.shape == host.shape and out.dtype == host.dtype
    if like != "empty_like":
        assert_array_matches(out, getattr(np, like)(host))
    out = getattr(ts, like)(x, dtype="float32")
    assert out.dtype == np.float32 and out.shape == host.shape
    # NumPy input
    out = getattr(ts, like)(host)
    assert out.shape == host.shape and out.dtype == host.dtype


def test_full_like():
    host = np.arange(6.0).reshape(2, 3)
    x = ts.asarray(host, chunks=(1, 2))
    out = ts.full_like(x, 3.5)
    assert out.chunks == x.chunks
    assert_array_matches(out, np.full_like(host, 3.5))
    assert_array_matches(ts.full_like(x, 3, dtype="int32"), np.full_like(host, 3, dtype=np.int32))


# ---- ranges ----

@pytest.mark.parametrize("args", [(10,), (0,), (-3,), (2, 9), (2, 9, 3), (10, 0, -3), (5, -5, -1), (0, 10, 20),
                                  (3, 3), (-4, 4, 2)])
@pytest.mark.parametrize("chunks", [1, 3, "whole"])
def test_arange_int(args, chunks):
    expected = np.arange(*args)
    if chunks == "whole":
        chunks = (expected.size,) if expected.size else ((0,),)
    assert_array_matches(ts.arange(*args, chunks=chunks), expected)


@pytest.mark.parametrize("args", [(5.0,), (0.0, 1.0, 0.1), (1.5, -2.0, -0.25), (-1.0, 1.0, 0.3), (0, 2, 0.5),
                                  (0.5, 3), (1.0, 1.0)])
def test_arange_float(args):
    expected = np.arange(*args)
    for chunks in ((1,), (3,), (expected.size,) if expected.size else ((0,),)):
        assert_array_matches(ts.arange(*args, chunks=chunks), expected, context=f"chunks={chunks}")


@pytest.mark.parametrize("dtype", ["int8", "int32", "uint8", "float32", "float64"])
def test_arange_dtype(dtype):
    assert_array_matches(ts.arange(0, 20, 2, dtype=dtype, chunks=3), np.arange(0, 20, 2, dtype=dtype))


@pytest.mark.xfail(reason="integer arange goes through doubles: _creation.arange passes float(start), float(stop), "
                          "float(step) to _tessera.arange (a double signature whose length is ceil((stop-start)/step) "
                          "in doubles), so bounds beyond 2**53 lose precision: arange(2**60, 2**60 + 5) is empty",
                   strict=True)
def test_arange_int64_beyond_float_precision():
    assert_array_matches(ts.arange(2**60, 2**60 + 5), np.arange(2**60, 2**60 + 5))


def test_arange_step_zero_is_an_error():
    with pytest.raises(ValueError):
        ts.arange(0, 10, 0)


@pytest.mark.parametrize("start,stop,num", [(0, 1, 5), (2, -3, 11), (-1.5, 1.5, 1), (0, 10, 0), (3, 3, 4), (0, 1, 2)])
@pytest.mark.parametrize("endpoint", [True, False])
def test_linspace(start, stop, num, endpoint):
    expected = np.linspace(start, stop, num, endpoint=endpoint)
    for chunks in ((1,), (4,), (num,) if num else ((0,),)):
        x = ts.linspace(start, stop, num, endpoint=endpoint, chunks=chunks)
        assert_array_matches(x, expected, rtol=1e-12, atol=1e-14, context=f"chunks={chunks}")
        if num and endpoint:
            # The endpoint is exact when included.
            assert x.compute()[-1] == expected[-1]


def test_linspace_dtype():
    assert_array_matches(ts.linspace(0, 1, 7, dtype="float32", chunks=3), np.linspace(0, 1, 7, dtype=np.float32))


# ---- identity and triangles ----

@pytest.mark.parametrize("n,m", [(1, None), (4, None), (3, 5), (5, 3), (0, 3)])
@pytest.mark.parametrize("k", [0, 1, -1, 2, -4, 6])
def test_eye(n, m, k):
    expected = np.eye(n, m, k=k)
    for chunks in (1, 2, -1):
        assert_array_matches(ts.eye(n, m, k=k, chunks=chunks), expected, context=f"chunks={chunks}")


@pytest.mark.parametrize("dtype", ["int32", "bool", "complex128", "float32"])
def test_eye_dtype(dtype):
    assert_array_matches(ts.eye(3, 4, k=1, dtype=dtype, chunks=2), np.eye(3, 4, k=1, dtype=dtype))


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (6, 2), (2, 3, 4), (0, 3)])
@pytest.mark.parametrize("k", [0, 1, -1, 3, -3])
@pytest.mark.parametrize("chunking", range(3), ids=CHUNKING_IDS)
def test_tril_triu(rng, shape, k, chunking):
    host = sample(rng, shape, "float64")
    x = ts.asarray(host, chunks=chunkings(shape)[chunking])
    assert_array_matches(ts.tril(x, k=k), np.tril(host, k=k))
    assert_array_matches(ts.triu(x, k=k), np.triu(host, k=k))


@pytest.mark.parametrize("dtype", ["int8", "bool", "uint64", "complex128"])
def test_tril_triu_keep_dtype(rng, dtype):
    host = sample(rng, (4, 5), dtype)
    assert_array_matches(ts.tril(ts.asarray(host, chunks=2)), np.tril(host))
    assert_array_matches(ts.triu(ts.asarray(host, chunks=2), k=-1), np.triu(host, k=-1))


def test_tril_needs_two_dimensions():
    with pytest.raises(ValueError, match=r"\(5,\)"):
        ts.tril(ts.arange(5))


# ---- grids ----

@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sizes", [(3,), (3, 4), (2, 3, 4), (0, 2), (1, 5)])
def test_meshgrid(indexing, sizes):
    hosts = [np.arange(n, dtype=np.float64) * (i + 1) for i, n in enumerate(sizes)]
    expected = np.meshgrid(*hosts, indexing=indexing)
    got = ts.meshgrid(*[ts.asarray(h, chunks=2) for h in hosts], indexing=indexing)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert_array_matches(g, e)


def test_meshgrid_mixed_dtypes_and_numpy_inputs():
    a, b = np.arange(3, dtype=np.int32), np.linspace(0, 1, 4)
    for g, e in zip(ts.meshgrid(a, b), np.meshgrid(a, b)):
        assert_array_matches(g, e)


def test_meshgrid_bad_indexing():
    with pytest.raises(ValueError, match="indexing"):
        ts.meshgrid(ts.arange(3), indexing="yx")
