"""float16 (NumPy's half) beyond the dtype sweeps of the other files: exact results where
NumPy's are exact (conversions, + - * /, comparisons, sorting), sums rounded once from an
exact accumulation, matmul, promotion, and the refusals NumPy also makes."""
from __future__ import annotations

import numpy as np
import pytest

import tessera as ts
from conftest import DTYPES, assert_array_matches


def halves(rng, n, *, scale=3.0):
    return rng.uniform(-scale, scale, size=n).astype(np.float16)


def assert_same_halves(actual, expected, context=""):
    """Bit for bit, but every NaN equal to every NaN."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == np.float16 and expected.dtype == np.float16, context
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(actual), nan, err_msg=context)
    np.testing.assert_array_equal(actual[~nan].view(np.uint16), expected[~nan].view(np.uint16), err_msg=context)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_casts_round_as_numpy():
    edge = np.array([0.0, -0.0, 1.0, 2049.0, 2051.0, 65504.0, 65519.99, 65520.0, 1e6, -1e6, 2.0 ** -25,
                     np.nextafter(2.0 ** -25, 1.0), 2.0 ** -24, 1e-8, 1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11,
                     np.inf, -np.inf, np.nan, 0.1, 1 / 3])
    for source in (edge, edge.astype(np.float32), np.arange(-70000, 70000, 7, dtype=np.int64),
                   np.arange(-128, 128, dtype=np.int8), np.array([True, False])):
        x = ts.asarray(source, chunks=5)
        assert_same_halves(x.astype(np.float16).compute(), source.astype(np.float16), str(source.dtype))
    h = ts.asarray(edge.astype(np.float16), chunks=4)
    for target in ("float32", "float64", "complex64", "bool"):
        np.testing.assert_array_equal(h.astype(target).compute(), edge.astype(np.float16).astype(target))
    finite = edge[np.isfinite(edge.astype(np.float16))].astype(np.float16)
    for target in ("int8", "int16", "int64", "uint8"):
        values = finite[(finite > np.iinfo(target).min - 1) & (finite < np.iinfo(target).max + 1)]
        np.testing.assert_array_equal(ts.asarray(values).astype(target).compute(), values.astype(target))


@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "divide", "maximum", "minimum", "floor_divide",
                                "remainder", "copysign"])
def test_basic_arithmetic_is_exactly_numpys(rng, op):
    # NumPy computes each in float and rounds the result to half once; so does tessera.
    a = halves(rng, 500, scale=100)
    b = halves(rng, 500, scale=8)
    b[::37] = 0
    a[::53] = np.nan
    fn = getattr(np, op)
    with np.errstate(all="ignore"):
        expected = fn(a, b)
    x, y = ts.asarray(a, chunks=128), ts.asarray(b, chunks=100)
    assert_same_halves(getattr(ts, op if op != "remainder" else "remainder")(x, y).compute(), expected, op)


def test_comparisons_and_sorting_are_exact(rng):
    a = halves(rng, 300)
    a[::17] = np.nan
    a[5], a[6] = 0.0, -0.0
    b = halves(rng, 300)
    x, y = ts.asarray(a, chunks=64), ts.asarray(b, chunks=64)
    for op in ("less", "less_equal", "equal", "not_equal", "greater"):
        np.testing.assert_array_equal(getattr(ts, op)(x, y).compute(), getattr(np, op)(a, b), err_msg=op)
    # By value: 0.0 and -0.0 are equal, and NumPy's default sort is not stable.
    sorted_values = ts.sort(x).compute()
    assert sorted_values.dtype == np.float16
    np.testing.assert_array_equal(sorted_values, np.sort(a))
    np.testing.assert_array_equal(ts.argsort(x, stable=True).compute(), np.argsort(a, stable=True))
    np.testing.assert_array_equal(ts.unique_values(x).compute(), np.unique_values(a))  # NaNs distinct
    np.testing.assert_array_equal(ts.argmax(x).compute(), np.argmax(a))
    np.testing.assert_array_equal(ts.isnan(x).compute(), np.isnan(a))


def test_sums_accumulate_exactly_and_round_once(rng):
    # NumPy rounds a strided reduction to half at every step; tessera accumulates in double
    # (exactly, for halves this size) and rounds once: the correctly rounded sum.
    a = halves(rng, (40, 30))
    x = ts.asarray(a, chunks=(7, 11))
    for axis in (None, 0, 1):
        exact = np.sum(a.astype(np.float64), axis=axis)
        assert_same_halves(ts.sum(x, axis=axis).compute(), np.asarray(exact).astype(np.float16), f"axis={axis}")
        np.testing.assert_allclose(ts.mean(x, axis=axis).compute(),
                                   np.mean(a.astype(np.float64), axis=axis).astype(np.float16), rtol=1e-3)
        np.testing.assert_allclose(ts.var(x, axis=axis).compute(),
                                   np.var(a.astype(np.float64), axis=axis).astype(np.float16), rtol=1e-3)
    assert ts.sum(x).dtype == np.float16 and ts.mean(x).dtype == np.float16


def test_matmul_accumulates_in_float(rng):
    a, b = halves(rng, (33, 70)), halves(rng, (70, 21))
    expected = (a.astype(np.float32) @ b.astype(np.float32)).astype(np.float16)
    got = (ts.asarray(a, chunks=(16, 70)) @ ts.asarray(b, chunks=(70, 8))).compute()
    assert got.dtype == np.float16
    np.testing.assert_allclose(got, expected, rtol=2e-3, atol=2e-3)
    # A contraction split over chunks sums the blocks' products in float32, rounding once.
    split = ts.asarray(a, chunks=(16, 25)) @ ts.asarray(b, chunks=(25, 8))
    assert split.dtype == np.float16
    np.testing.assert_allclose(split.compute(), expected, rtol=2e-3, atol=2e-3)
    dot = ts.tensordot(ts.asarray(a, chunks=(16, 25)), ts.asarray(b, chunks=(25, 8)), axes=1).compute()
    np.testing.assert_allclose(dot, expected, rtol=2e-3, atol=2e-3)
    # Exactly: 2048 + 1 + 1 is 2050, but 2048 + 1 rounded to half (a tie) is 2048 again.
    row, column = np.float16([[2048, 1, 1]]), np.ones((3, 1), dtype=np.float16)
    assert (row @ column)[0, 0] == 2050
    assert (ts.asarray(row, chunks=1) @ ts.asarray(column, chunks=1)).compute()[0, 0] == 2050


def test_vecdot_multiplies_in_float():
    a, b = np.float16([300, 300, 2048]), np.float16([300, -300, 1])
    for chunks in (1, 3):
        got = ts.linalg.vecdot(ts.asarray(a, chunks=chunks), ts.asarray(b, chunks=chunks)).compute()
        assert got.dtype == np.float16 and got == np.vecdot(a, b) == 2048  # 90000 - 90000 + 2048


@pytest.mark.parametrize("other", [d for d in DTYPES if d != "float16"] + ["int16", "uint32", "complex64"])
def test_promotion_is_numpys(other):
    h = ts.ones(3, dtype="float16")
    o = ts.ones(3, dtype=other)
    assert (h + o).dtype == np.result_type(np.float16, other)
    assert ts.result_type(h, o) == np.result_type(np.float16, other)


def test_python_scalars_promote_weakly():
    h = ts.ones(3, dtype="float16")
    assert (h + 1).dtype == np.float16
    assert (h * 2.5).dtype == np.float16
    assert (h + 1j).dtype == np.complex64
    assert ts.sqrt(ts.ones(3, dtype="int8")).dtype == np.float16


def test_creation_and_dlpack():
    assert_array_matches(ts.linspace(0, 1, 9, dtype=ts.float16), np.linspace(0, 1, 9, dtype=np.float16))
    assert_array_matches(ts.arange(0, 3, 0.25, dtype="float16"), np.arange(0, 3, 0.25, dtype=np.float16))
    assert_array_matches(ts.full((2, 2), 0.1, dtype="f2"), np.full((2, 2), 0.1, dtype=np.float16))
    x = ts.arange(6, dtype="float16").persist()
    assert_same_halves(np.from_dlpack(x), np.arange(6, dtype=np.float16))
    assert ts.from_dlpack(np.arange(6, dtype=np.float16)).dtype == np.float16


def test_random_draws_refuse_float16_as_numpy_does():
    with pytest.raises(TypeError, match="float16"):
        np.random.default_rng(0).random(3, dtype=np.float16)
    with pytest.raises(TypeError, match="float16"):
        ts.random.random((3,), dtype="float16")
