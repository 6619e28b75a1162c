"""bfloat16 (ml_dtypes' NumPy dtype; NumPy has none of its own): correctly rounded
conversions, each operation computed in float and rounded once, sums accumulated exactly,
matmul in float, promotion as JAX and ml_dtypes do it, and the dtype functions.

The reference is NumPy in float32, rounded to bfloat16 by ml_dtypes (whose float32 to
bfloat16 conversion rounds to nearest even, once). Not ml_dtypes on bfloat16 arrays
themselves: it converts float64 to bfloat16 through float32 (rounding twice), and its
sort leaves NaNs in place."""
from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

import tessera as ts

BF16 = np.dtype(ml_dtypes.bfloat16)


def bf16_of(x) -> np.ndarray:
    """float64 values correctly rounded to bfloat16: first to float32 rounding to odd (a
    sticky last bit), which float32's 16 spare bits make exact enough for the second
    rounding, to nearest even, to be the correct one."""
    x = np.asarray(x, dtype=np.float64)
    nearest = x.astype(np.float32)
    inexact = np.isfinite(x) & (nearest.astype(np.float64) != x)
    toward_zero = np.where(np.abs(nearest.astype(np.float64)) > np.abs(x),
                           np.nextafter(nearest, np.float32(0)), nearest)
    odd = (toward_zero.view(np.uint32) | np.uint32(1)).view(np.float32)
    return np.where(inexact, odd, nearest).astype(BF16)


def randoms(rng, n, *, scale=3.0):
    return rng.uniform(-scale, scale, size=n).astype(np.float32).astype(BF16)


def assert_same_bf16(actual, expected, context=""):
    """Bit for bit, but every NaN equal to every NaN."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == BF16 and expected.dtype == BF16, f"{context}: {actual.dtype}, {expected.dtype}"
    nan = np.isnan(expected.astype(np.float32))
    np.testing.assert_array_equal(np.isnan(actual.astype(np.float32)), nan, err_msg=context)
    np.testing.assert_array_equal(actual[~nan].view(np.uint16), expected[~nan].view(np.uint16), err_msg=context)


def test_the_dtype_is_ml_dtypes_bfloat16():
    assert ts.bfloat16 == BF16
    x = ts.ones((2, 3), dtype=ts.bfloat16)
    assert x.dtype == BF16 and x.itemsize == 2
    assert np.asarray(x).dtype == BF16
    assert ts.asarray(np.ones(4, dtype=BF16)).dtype == BF16
    assert ts.isdtype(ts.bfloat16, "real floating") and not ts.isdtype(ts.bfloat16, "integral")
    info = ts.finfo(ts.bfloat16)
    assert info.bits == 16 and float(info.eps) == 2.0 ** -7 and float(info.max) == 255 * 2.0 ** 120


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_casts_round_correctly():
    edge = np.array([0.0, -0.0, 1.0, 257.0, 259.0, 1.00390625, 1.01171875, 255 * 2.0 ** 120, 511 * 2.0 ** 119,
                     3e38, -3.4e38, 2.0 ** -133, 2.0 ** -134, 1e-40, 1e-45, np.inf, -np.inf, np.nan, 0.1, 1 / 3],
                    dtype=np.float32)
    for source in (edge, edge.astype(np.float64), np.arange(-70000, 70000, 7, dtype=np.int64),
                   np.arange(-128, 128, dtype=np.int8), np.array([True, False])):
        x = ts.asarray(source, chunks=5)
        assert_same_bf16(x.astype(ts.bfloat16).compute(), bf16_of(source.astype(np.float64)), str(source.dtype))
    # From float64 the value itself is rounded, not its float32 rounding: just above a tie.
    above_tie = np.array([1.00390625 + 1e-12, -(1.00390625 + 1e-12)])
    assert list(ts.asarray(above_tie).astype(ts.bfloat16).compute().astype(np.float64)) == [1.0078125, -1.0078125]
    assert list(ts.asarray(list(above_tie), dtype=ts.bfloat16).compute().astype(np.float64)) == [1.0078125, -1.0078125]
    b = ts.asarray(edge.astype(BF16), chunks=4)
    for target in ("float32", "float64", "complex64", "bool"):
        np.testing.assert_array_equal(b.astype(target).compute(), edge.astype(BF16).astype(np.float32).astype(target))
    small = np.array([-128.5, -3.75, -0.5, 0.0, 0.99, 2.0, 127.0, 255.0], dtype=np.float32).astype(BF16)
    for target in ("int8", "int16", "int64", "uint8"):
        values = small[(small.astype(np.float32) > np.iinfo(target).min - 1) &
                       (small.astype(np.float32) < np.iinfo(target).max + 1)]
        np.testing.assert_array_equal(ts.asarray(values).astype(target).compute(),
                                      values.astype(np.float32).astype(target))


@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "divide", "maximum", "minimum", "floor_divide",
                                "remainder", "copysign", "hypot"])
def test_arithmetic_is_floats_rounded_once(rng, op):
    a = randoms(rng, 500, scale=100)
    b = randoms(rng, 500, scale=8)
    b[::37] = 0
    a[::53] = np.nan
    with np.errstate(all="ignore"):
        expected = getattr(np, op)(a.astype(np.float32), b.astype(np.float32)).astype(BF16)
    x, y = ts.asarray(a, chunks=128), ts.asarray(b, chunks=100)
    assert_same_bf16(getattr(ts, op)(x, y).compute(), expected, op)


@pytest.mark.parametrize("op", ["sqrt", "floor", "abs", "negative", "square", "trunc", "sign"])
def test_correctly_rounded_functions_are_exact(rng, op):
    # float's sqrt and these are correctly rounded, so rounding to bfloat16 once is too.
    a = randoms(rng, 1000, scale=300)
    a[::41] = np.nan
    with np.errstate(all="ignore"):
        expected = getattr(np, op)(a.astype(np.float32)).astype(BF16)
    assert_same_bf16(getattr(ts, op)(ts.asarray(a, chunks=300)).compute(), expected, op)


@pytest.mark.parametrize("op", ["sin", "exp", "log", "tanh", "expm1", "atan"])
def test_math_functions_are_floats_rounded(rng, op):
    a = randoms(rng, 400, scale=4)
    with np.errstate(all="ignore"):
        expected = getattr(np, op)(a.astype(np.float32))
    got = getattr(ts, op)(ts.asarray(a, chunks=64)).compute()
    assert got.dtype == BF16
    # float's function may differ from NumPy's in its last place, which may round to the
    # neighbouring bfloat16: one unit there.
    np.testing.assert_allclose(got.astype(np.float32), expected.astype(BF16).astype(np.float32), rtol=2.0 ** -7,
                               atol=1e-30, equal_nan=True, err_msg=op)


def test_comparisons_sorting_and_searching_are_exact(rng):
    a = randoms(rng, 300)
    a[::17] = np.nan
    a[5], a[6] = 0.0, -0.0
    b = randoms(rng, 300)
    x, y = ts.asarray(a, chunks=64), ts.asarray(b, chunks=64)
    wide = a.astype(np.float32)
    for op in ("less", "less_equal", "equal", "not_equal", "greater"):
        np.testing.assert_array_equal(getattr(ts, op)(x, y).compute(), getattr(np, op)(wide, b.astype(np.float32)),
                                      err_msg=op)
    # Bit for bit, so against a stable sort as tessera's is: NumPy's default sort puts the
    # equal 0.0 and -0.0 in an order that depends on the data.
    assert_same_bf16(ts.sort(x).compute(), np.sort(wide, kind="stable").astype(BF16), "sort")  # NaNs last
    np.testing.assert_array_equal(ts.argsort(x, stable=True).compute(), np.argsort(wide, stable=True))
    np.testing.assert_array_equal(ts.unique_values(x).compute().astype(np.float32), np.unique_values(wide))
    assert ts.argmax(x).compute() == np.argmax(wide) and ts.argmin(x).compute() == np.argmin(wide)
    np.testing.assert_array_equal(ts.isnan(x).compute(), np.isnan(wide))
    finite = x[~ts.isnan(x)]
    assert float(ts.max(finite).compute()) == np.nanmax(wide)


def test_sums_accumulate_exactly_and_round_once(rng):
    a = randoms(rng, (40, 30))
    x = ts.asarray(a, chunks=(7, 11))
    for axis in (None, 0, 1):
        exact = np.sum(a.astype(np.float64), axis=axis)  # exact: 8-bit values, few of them
        assert_same_bf16(ts.sum(x, axis=axis).compute(), bf16_of(exact), f"sum axis={axis}")
        assert_same_bf16(ts.mean(x, axis=axis).compute(), bf16_of(np.mean(a.astype(np.float64), axis=axis)),
                         f"mean axis={axis}")
        np.testing.assert_allclose(ts.std(x, axis=axis).compute().astype(np.float64),
                                   np.std(a.astype(np.float64), axis=axis), rtol=2.0 ** -8)
    assert ts.sum(x).dtype == BF16 and ts.mean(x).dtype == BF16 and ts.var(x).dtype == BF16


def test_matmul_accumulates_in_float(rng):
    a, b = randoms(rng, (33, 70)), randoms(rng, (70, 21))
    expected = (a.astype(np.float32) @ b.astype(np.float32)).astype(BF16).astype(np.float32)
    for chunks_a, chunks_b in (((16, 70), (70, 8)), ((16, 25), (25, 8))):  # one block, or split and summed in float32
        got = (ts.asarray(a, chunks=chunks_a) @ ts.asarray(b, chunks=chunks_b)).compute()
        assert got.dtype == BF16
        np.testing.assert_allclose(got.astype(np.float32), expected, rtol=2.0 ** -7, atol=2.0 ** -7)
    # Exactly: 256 + 1 + 1 is 258, but 256 + 1 rounded to bfloat16 (a tie) is 256 again.
    row, column = np.array([[256, 1, 1]], dtype=BF16), np.ones((3, 1), dtype=BF16)
    for chunks in (1, 3):
        assert float((ts.asarray(row, chunks=chunks) @ ts.asarray(column, chunks=chunks)).compute()[0, 0]) == 258
    dot = ts.linalg.vecdot(ts.asarray(np.array([300, 300, 256], dtype=BF16), chunks=1),
                           ts.asarray(np.array([300, -300, 1], dtype=BF16), chunks=1))
    assert float(dot.compute()) == 256  # 90000 - 90000 + 256, products in float


@pytest.mark.parametrize("other, expected", [
    ("bool", "bfloat16"), ("int8", "bfloat16"), ("uint8", "bfloat16"), ("int16", "float32"), ("uint16", "float32"),
    ("int32", "float64"), ("int64", "float64"), ("float16", "float32"), ("float32", "float32"),
    ("float64", "float64"), ("complex64", "complex64"), ("complex128", "complex128")])
def test_promotion_is_float16s_except_with_float16(other, expected):
    b = ts.ones(3, dtype=ts.bfloat16)
    o = ts.ones(3, dtype=other)
    assert (b + o).dtype == np.dtype(expected) and (o * b).dtype == np.dtype(expected)
    assert ts.result_type(b, o) == np.dtype(expected) == ts.result_type(other, ts.bfloat16)
    assert ts.can_cast(other, ts.bfloat16) == (expected == "bfloat16")
    np.testing.assert_array_equal((b + o).compute().astype(np.complex128), np.full(3, 2.0))


def test_python_scalars_promote_weakly():
    b = ts.ones(3, dtype=ts.bfloat16)
    assert (b + 1).dtype == BF16 and (b * 2.5).dtype == BF16 and (b + 1j).dtype == np.complex64
    assert ts.result_type(b, 1, 2.5) == BF16 and ts.result_type(b, 1j) == np.complex64
    assert ts.can_cast(ts.bfloat16, ts.float32) and not ts.can_cast(ts.bfloat16, ts.float16)
    # NumPy scalars and arrays are not weak: their dtypes take part, as in the operations.
    assert ts.result_type(b, np.float64(2.5)) == np.float64 == (b + np.float64(2.5)).dtype
    assert ts.result_type(np.ones(3, dtype=BF16), np.ones(2, dtype=np.int16)) == np.float32
    assert ts.result_type(np.ones(3), ts.float32) == np.float64  # no bfloat16: NumPy's answer


def test_asarray_with_a_cast_to_bfloat16_copies(rng):
    source = rng.uniform(-1, 1, 100)
    x = ts.asarray(source, dtype=ts.bfloat16, copy=True)
    expected = bf16_of(source)
    source[:] = 7  # after the conversion: not seen
    assert_same_bf16(x.compute(), expected)
    with pytest.raises(ValueError, match="copy"):
        ts.asarray(np.ones(3), dtype=ts.bfloat16, copy=False)


def test_creation_and_dlpack():
    assert_same_bf16(ts.linspace(0, 1, 9, dtype=ts.bfloat16).compute(), bf16_of(np.linspace(0, 1, 9)))
    assert_same_bf16(ts.arange(0, 3, 0.1, dtype=ts.bfloat16).compute(), bf16_of(np.arange(0, 3, 0.1)))
    assert_same_bf16(ts.full((2, 2), 0.1, dtype="bfloat16").compute(), bf16_of(np.full((2, 2), 0.1)))
    x = ts.arange(6, dtype=ts.bfloat16).persist()
    back = ts.from_dlpack(x)  # DLPack's kDLBfloat both ways
    assert back.dtype == BF16
    assert_same_bf16(back.compute(), np.arange(6, dtype=np.float32).astype(BF16))


def test_random_draws_refuse_bfloat16():
    with pytest.raises(TypeError, match="bfloat16"):
        ts.random.random((3,), dtype=ts.bfloat16)
