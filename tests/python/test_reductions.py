"""Reductions (tessera/_statistics.py and Array's reduction methods) against NumPy: every
reduction over axis None / int / negative / tuple / (), keepdims, split_every, across dtypes
and chunkings, including empty arrays."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tessera as ts
from conftest import CHUNKING_IDS, DTYPES, assert_array_matches, chunkings, sample

REDUCTIONS = ["sum", "prod", "mean", "var", "std", "min", "max", "any", "all"]
SHAPE = (4, 5, 3)
AXES = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2), ()]


def numpy_reduce(op, host, **kwargs):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(getattr(np, op)(host, **kwargs))


def reduce_tolerance(op, dtype):
    """Summation order differs from NumPy's pairwise sums: float32 gets a few ulps of the sum.
    float16 sums accumulate in double and round once, where NumPy rounds every step of a
    reduction along a strided axis to half: a few of half's ulps apart."""
    dtype = np.dtype(dtype)
    if dtype.kind in "biu" and op not in ("mean", "var", "std"):
        return {}
    if dtype == np.float16:
        return {"rtol": 5e-3, "atol": 5e-3}
    if dtype in (np.float32, np.complex64):
        return {"rtol": 1e-4, "atol": 1e-5}
    return {"rtol": 1e-10, "atol": 1e-12}


def reduction_input(rng, op, dtype, shape=SHAPE):
    if op == "prod" and np.dtype(dtype).kind in "iufc":
        # Products of 60 values: keep them near 1 so that neither integers nor floats overflow.
        kind = np.dtype(dtype).kind
        if kind in "iu":
            host = np.ones(shape, dtype=dtype)
            host.flat[rng.choice(host.size, size=min(5, host.size), replace=False)] = 2
            if kind == "i":
                host.flat[rng.choice(host.size, size=min(3, host.size), replace=False)] = -1
            return host
        return sample(rng, shape, dtype, low=0.8, high=1.2)
    return sample(rng, shape, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", REDUCTIONS)
def test_reductions_match_numpy(rng, op, dtype):
    host = reduction_input(rng, op, dtype)
    arrays = [ts.asarray(host, chunks=chunks) for chunks in chunkings(SHAPE) + [2]]
    for axis in AXES:
        for keepdims in (False, True):
            expected = numpy_reduce(op, host, axis=axis, keepdims=keepdims)
            for x in arrays:
                context = f"{op}({dtype}, axis={axis}, keepdims={keepdims}) chunks={x.chunks}"
                got = getattr(x, op)(axis=axis, keepdims=keepdims)
                assert_array_matches(got, expected, context=context, **reduce_tolerance(op, dtype))


@pytest.mark.parametrize("op", REDUCTIONS)
def test_namespace_functions_match_methods(rng, op):
    host = reduction_input(rng, op, "float64")
    x = ts.asarray(host, chunks=(3, 2, 2))
    for axis in (None, 1, (0, 2)):
        expected = numpy_reduce(op, host, axis=axis, keepdims=True)
        assert_array_matches(getattr(ts, op)(x, axis=axis, keepdims=True), expected, context=f"axis={axis}")
    # NumPy input to the namespace function
    assert_array_matches(getattr(ts, op)(host, axis=-1), numpy_reduce(op, host, axis=-1))


@pytest.mark.parametrize("split_every", [2, 3, 8])
@pytest.mark.parametrize("op", REDUCTIONS + ["argmin", "argmax"])
def test_split_every_trees(rng, op, split_every):
    """Many chunks reduced through a tree of split_every-way combines: the same answer."""
    shape = (17, 9)
    host = reduction_input(rng, op, "float64", shape)
    x = ts.asarray(host, chunks=(2, 2))
    for axis in (None, 0, 1):
        expected = numpy_reduce(op, host, axis=axis)
        got = getattr(x, op)(axis=axis, split_every=split_every)
        assert_array_matches(got, expected, context=f"axis={axis}", **reduce_tolerance(op, "float64"))
    if not op.startswith("arg"):
        got = getattr(x, op)(axis=(0, 1), split_every=split_every, keepdims=True)
        assert_array_matches(got, numpy_reduce(op, host, axis=(0, 1), keepdims=True),
                             **reduce_tolerance(op, "float64"))


@pytest.mark.parametrize("dtype", ["int8", "float32", "float64", "complex128", "bool"])
@pytest.mark.parametrize("correction", [0, 1, 0.5, 2])
def test_var_std_correction(rng, dtype, correction):
    host = sample(rng, (6, 4), dtype)
    for chunks in chunkings(host.shape):
        x = ts.asarray(host, chunks=chunks)
        for axis in (None, 0, 1, ()):
            for op in ("var", "std"):
                expected = numpy_reduce(op, host, axis=axis, ddof=correction)
                context = f"{op}(axis={axis}, correction={correction}) chunks={chunks}"
                assert_array_matches(getattr(ts, op)(x, axis=axis, correction=correction), expected, context=context,
                                     **reduce_tolerance(op, dtype))
                # NumPy's spelling
                assert_array_matches(getattr(x, op)(axis=axis, ddof=correction), expected, context=context,
                                     **reduce_tolerance(op, dtype))


def test_var_correction_leaving_no_degrees_of_freedom():
    """The array API: NaN where N - correction <= 0 (NumPy gives inf for a nonzero sum of
    squares divided by max(N - correction, 0))."""
    host = np.arange(3.0)
    for op in ("var", "std"):
        for correction in (3, 5):
            for chunks in (1, 2, -1):
                got = getattr(ts, op)(ts.asarray(host, chunks=chunks), correction=correction)
                assert_array_matches(got, np.asarray(np.nan), context=f"{op} correction={correction} chunks={chunks}")
        assert_array_matches(getattr(ts, op)(ts.asarray(np.ones((2, 3))), axis=0, correction=2), np.full(3, np.nan))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["argmin", "argmax"])
def test_arg_reductions(rng, op, dtype):
    host = sample(rng, SHAPE, dtype)
    if np.dtype(dtype).kind in "iu":
        host = host // 3  # ties: the first occurrence wins, as in NumPy
    for chunks in chunkings(SHAPE) + [2]:
        x = ts.asarray(host, chunks=chunks)
        for axis in (None, 0, 1, 2, -1, -3):
            for keepdims in (False, True):
                expected = numpy_reduce(op, host, axis=axis, keepdims=keepdims)
                context = f"{op}(axis={axis}, keepdims={keepdims}) chunks={chunks}"
                assert_array_matches(getattr(x, op)(axis=axis, keepdims=keepdims), expected, context=context)
                assert_array_matches(getattr(ts, op)(x, axis=axis, keepdims=keepdims), expected, context=context)


def test_nan_propagation():
    host = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, -np.inf]])
    x = ts.asarray(host, chunks=(1, 2))
    for op in ("sum", "prod", "mean", "var", "std", "min", "max"):
        for axis in (None, 0, 1):
            assert_array_matches(getattr(x, op)(axis=axis), numpy_reduce(op, host, axis=axis), context=f"{op} {axis}")
    for op in ("argmin", "argmax"):
        for axis in (None, 0, 1):
            assert_array_matches(getattr(x, op)(axis=axis), numpy_reduce(op, host, axis=axis), context=f"{op} {axis}")


@pytest.mark.parametrize("shape,axis", [((0,), None), ((0, 3), 0), ((0, 3), 1), ((3, 0), None), ((3, 0), 0)])
@pytest.mark.parametrize("op", REDUCTIONS + ["argmin", "argmax"])
def test_empty_reductions(op, shape, axis):
    host = np.zeros(shape)
    x = ts.asarray(host, chunks=tuple((n,) if n else (0,) for n in shape))
    try:
        expected = numpy_reduce(op, host, axis=axis)
    except ValueError:
        # NumPy: no identity (min, max, argmin, argmax of nothing).
        with pytest.raises(ValueError):
            getattr(x, op)(axis=axis).compute()
        return
    assert_array_matches(getattr(x, op)(axis=axis), expected)


@pytest.mark.parametrize("dtype,op", [("int8", "sum"), ("uint8", "sum"), ("bool", "sum"), ("int32", "prod"),
                                      ("uint8", "prod"), ("float32", "sum"), ("int8", "mean"), ("float32", "var")])
def test_reduction_dtype_argument(dtype, op):
    host = np.arange(1, 9).astype(dtype).reshape(2, 4)
    x = ts.asarray(host, chunks=3)
    # NumPy's mean/var with an integer dtype= compute in (and return) integers; tessera's, as the
    # array API's, are floating: only floating dtype= for those.
    for out in ("float64", "float32") if op in ("mean", "var", "std") else ("int64", "float64", "float32"):
        assert_array_matches(getattr(x, op)(dtype=out), numpy_reduce(op, host, dtype=out), context=out)


def test_integer_sums_do_not_overflow_the_input_dtype():
    host = np.full((50, 10), 100, dtype=np.int8)
    x = ts.asarray(host, chunks=7)
    assert_array_matches(x.sum(), host.sum())
    assert_array_matches(x.sum(axis=0), host.sum(axis=0))
    host = np.full(300, 250, dtype=np.uint8)
    assert_array_matches(ts.asarray(host, chunks=64).sum(), host.sum())


@pytest.mark.parametrize("chunking", range(3), ids=CHUNKING_IDS)
def test_zero_dimensional(chunking):
    host = np.asarray(2.5)
    x = ts.asarray(host, chunks=chunkings(())[chunking])
    for op in REDUCTIONS + ["argmin", "argmax"]:
        assert_array_matches(getattr(x, op)(), numpy_reduce(op, host), context=op)
        assert_array_matches(getattr(x, op)(keepdims=True), numpy_reduce(op, host, keepdims=True), context=op)


def test_reduction_results_convert_to_python_scalars():
    x = ts.asarray(np.arange(10), chunks=3)
    assert int(x.sum()) == 45
    assert float(x.mean()) == 4.5
    assert bool(x.any()) is True
    assert x.max().item() == 9
    with pytest.raises(TypeError, match="size 1"):
        float(x)
