"""NumPy's protocols on tessera arrays (tessera/_numpy_interop.py, Array.__array__ & co.):
NumPy's functions and ufuncs give lazy tessera arrays where tessera has the operation, fall
back to NumPy with a UserWarning where it has not, and the values are NumPy's."""
from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest

import tessera as ts
from conftest import assert_array_matches, sample


@pytest.fixture
def data(rng):
    a = sample(rng, (4, 6), "float64")
    b = sample(rng, (4, 6), "float64")
    return a, b, ts.asarray(a, chunks=(3, 4)), ts.asarray(b, chunks=2)


@contextlib.contextmanager
def no_warning():
    """A context in which any warning fails the test (lazy paths must not fall back)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_np_asarray_computes(data):
    a, _, x, _ = data
    out = np.asarray(x)
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, a)
    np.testing.assert_array_equal(np.asarray(x, dtype=np.float32), a.astype(np.float32))
    assert np.asarray(x, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(np.array(x), a)


LAZY_UFUNCS = [
    (lambda m, x, y: m.sin(x), "sin"), (lambda m, x, y: m.add(x, 1), "add scalar"),
    (lambda m, x, y: m.add(2, x), "radd"),
    (lambda m, x, y: m.multiply(x, y), "multiply"), (lambda m, x, y: m.arctan2(x, y), "arctan2"),
    (lambda m, x, y: m.power(abs(x), 0.5), "power"), (lambda m, x, y: m.absolute(x), "absolute"),
    (lambda m, x, y: m.true_divide(x, y), "true_divide"), (lambda m, x, y: m.maximum(x, y), "maximum"),
    (lambda m, x, y: m.greater(x, y), "greater"), (lambda m, x, y: m.isfinite(x), "isfinite"),
    (lambda m, x, y: m.rint(x), "rint"), (lambda m, x, y: m.mod(x, 1.5), "mod"),
    (lambda m, x, y: m.conjugate(x), "conjugate"),
    (lambda m, x, y: m.invert(m.greater(x, 0)), "invert"), (lambda m, x, y: m.matmul(x, y.T), "matmul"),
]


@pytest.mark.parametrize("fn,name", LAZY_UFUNCS, ids=[name for _, name in LAZY_UFUNCS])
def test_ufuncs_are_lazy(data, fn, name):
    a, b, x, y = data
    with no_warning():
        got = fn(np, x, y)
        assert isinstance(got, ts.Array), f"np {name} gave {type(got).__name__}"
    assert_array_matches(got, fn(np, a, b), rtol=1e-12, atol=1e-12)


LAZY_FUNCTIONS = [
    (lambda x, y: np.mean(x, axis=0), "mean"), (lambda x, y: np.sum(x), "sum"),
    (lambda x, y: np.sum(x, axis=1, keepdims=True), "sum keepdims"), (lambda x, y: np.std(x, ddof=1), "std ddof"),
    (lambda x, y: np.var(x, axis=(0, 1)), "var"), (lambda x, y: np.prod(x, axis=1), "prod"),
    (lambda x, y: np.max(x, axis=0), "max"), (lambda x, y: np.amin(x), "amin"), (lambda x, y: np.any(x > 1), "any"),
    (lambda x, y: np.all(x > -5, axis=1), "all"), (lambda x, y: np.argmax(x, axis=1), "argmax"),
    (lambda x, y: np.concatenate([x, y]), "concatenate"),
    (lambda x, y: np.concatenate([x, y], axis=1), "concatenate 1"),
    (lambda x, y: np.stack([x, y], axis=1), "stack"), (lambda x, y: np.transpose(x), "transpose"),
    (lambda x, y: np.transpose(x, (1, 0)), "transpose axes"), (lambda x, y: np.where(x > 0, x, y), "where"),
    (lambda x, y: np.clip(x, -1, 1), "clip"), (lambda x, y: np.round(x), "round"),
    (lambda x, y: np.flip(x, axis=0), "flip"),
    (lambda x, y: np.expand_dims(x, 1), "expand_dims"), (lambda x, y: np.mean(x, dtype=np.float32), "mean dtype"),
]


@pytest.mark.parametrize("fn,name", LAZY_FUNCTIONS, ids=[name for _, name in LAZY_FUNCTIONS])
def test_functions_are_lazy(data, fn, name):
    a, b, x, y = data
    with no_warning():
        got = fn(x, y)
        assert isinstance(got, ts.Array), f"np {name} gave {type(got).__name__}"
    assert_array_matches(got, fn(a, b), rtol=1e-6 if name == "mean dtype" else 1e-12, atol=1e-12)


def test_concatenate_with_numpy_arrays(data):
    a, b, x, _ = data
    with no_warning():
        got = np.concatenate([x, b])
    assert_array_matches(got, np.concatenate([a, b]))


@pytest.mark.parametrize("ufunc,tessera_name", [(np.add, "sum"), (np.multiply, "prod"), (np.maximum, "max"),
                                                (np.minimum, "min")])
def test_ufunc_reduce(data, ufunc, tessera_name):
    a, _, x, _ = data
    with no_warning():
        default = ufunc.reduce(x)
        along = ufunc.reduce(x, axis=1)
        everything = ufunc.reduce(x, axis=None, keepdims=True)
    assert_array_matches(default, ufunc.reduce(a))
    assert_array_matches(along, ufunc.reduce(a, axis=1))
    assert_array_matches(everything, ufunc.reduce(a, axis=None, keepdims=True))
    assert_array_matches(getattr(ts, tessera_name)(x, axis=0), ufunc.reduce(a))


def test_logical_ufunc_reduce(data):
    a, _, x, _ = data
    assert_array_matches(np.logical_and.reduce(x > 0, axis=0), np.logical_and.reduce(a > 0, axis=0))
    assert_array_matches(np.logical_or.reduce(x > 0, axis=1), np.logical_or.reduce(a > 0, axis=1))


FALLBACKS = [
    (lambda x: np.median(x), "median"), (lambda x: np.diff(x, axis=1), "diff"),
    (lambda x: np.linalg.norm(x), "linalg.norm"), (lambda x: np.fft.fft(x), "fft.fft"),
    (lambda x: np.percentile(x, 30), "percentile"), (lambda x: np.diff(x, axis=0), "diff"),
    (lambda x: np.cbrt(x), "cbrt (ufunc)"), (lambda x: np.add.accumulate(x, axis=1), "add.accumulate"),
    (lambda x: np.add.reduce(x, axis=0, initial=100.0), "add.reduce initial="),
    (lambda x: np.multiply.outer(x[0], x[1]), "multiply.outer"),
    (lambda x: np.sin(x, where=np.arange(6) % 2 == 0, out=np.zeros((4, 6))), "sin where= out="),
    (lambda x: np.add(x, 1, dtype=np.float32), "add dtype="),
]


@pytest.mark.parametrize("fn,name", FALLBACKS, ids=[name for _, name in FALLBACKS])
def test_unsupported_numpy_functions_fall_back_with_a_warning(data, fn, name):
    a, _, x, _ = data
    with pytest.warns(UserWarning, match="tessera has no lazy"):
        got = fn(x)
    expected = fn(a)
    assert not isinstance(got, ts.Array)
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-12)
    assert np.asarray(got).dtype == np.asarray(expected).dtype


def test_ufunc_out_numpy_array_is_written(data):
    a, _, x, _ = data
    out = np.zeros_like(a)
    with pytest.warns(UserWarning):
        result = np.sqrt(abs(x), out=out)
    assert result is out
    np.testing.assert_allclose(out, np.sqrt(abs(a)), rtol=1e-15)


def test_ufunc_out_tessera_array_is_refused(data):
    _, _, x, y = data
    with pytest.raises(TypeError):
        np.add(x, 1, out=y)


def test_predicates_fall_back(data):
    a, _, x, _ = data
    with pytest.warns(UserWarning):
        assert np.allclose(x, a)
    with pytest.warns(UserWarning):
        assert np.array_equal(x, a)


def test_ndarray_operators_with_tessera_arrays(data):
    a, b, x, y = data
    with no_warning():
        results = [a + x, a * x, a - x, a / y, a ** 2 + x, a > x, np.float64(2.0) * x, a @ x.T]
    for got in results:
        assert isinstance(got, ts.Array), type(got).__name__
    for got, expected in zip(results, [a + a, a * a, a - a, a / b, a ** 2 + a, a > a, 2.0 * a, a @ a.T]):
        assert_array_matches(got, expected)


def test_array_namespace(data):
    _, _, x, _ = data
    assert x.__array_namespace__() is ts
    assert x.__array_namespace__(api_version="2023.12") is ts
    with pytest.raises(ValueError, match="2099.12"):
        x.__array_namespace__(api_version="2099.12")
    xp = x.__array_namespace__()
    assert_array_matches(xp.sin(x) + xp.cos(x), np.sin(np.asarray(x)) + np.cos(np.asarray(x)))
