"""Shared helpers of tessera's Python tests: NumPy as the reference, chunkings to vary, and a
per-test timeout (a hang is a failure).

The timeout uses faulthandler: a test that runs past its limit dumps every thread's stack and
ends the process, which pytest reports as a crash of that test. A plain signal would not do:
a hang usually sits in native code waiting with the GIL released, where no Python exception
can be raised. Mark a test `@pytest.mark.timeout(seconds)` to change its limit.
"""
from __future__ import annotations

import faulthandler
import os
import sys

import numpy as np
import pytest

try:
    import tessera as ts  # installed (pip install .) or on PYTHONPATH
except ImportError:  # the in-place build: python/tessera/_tessera*.so next to the sources
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "python"))
    import tessera as ts

DEFAULT_TIMEOUT_S = 60.0

# The dtypes the suites sweep: each kind and the edges of the integer widths.
DTYPES = ["bool", "int8", "int32", "int64", "uint8", "uint64", "float16", "float32", "float64", "complex128"]


def pytest_configure(config):
    config.addinivalue_line("markers", "timeout(seconds): this test's time limit (default 60 s)")


@pytest.fixture(autouse=True)
def _timeout(request):
    marker = request.node.get_closest_marker("timeout")
    seconds = float(marker.args[0]) if marker else DEFAULT_TIMEOUT_S
    faulthandler.dump_traceback_later(seconds, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def tolerance(dtype) -> dict:
    """assert_allclose's tolerances for results of this dtype (exact for integers and bools)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "biu":
        return {"rtol": 0, "atol": 0}
    if dtype == np.float16:
        # One unit in the last place: tessera may round a float result that NumPy's own
        # float path (libm, or float32 sums) rounds the other way.
        return {"rtol": 1e-3, "atol": 1e-4}
    if dtype in (np.float32, np.complex64):
        return {"rtol": 2e-5, "atol": 1e-6}
    return {"rtol": 1e-12, "atol": 1e-13}


def assert_array_matches(actual, expected, *, rtol=None, atol=None, check_dtype=True, lazy=True, context=""):
    """`actual` (a tessera array, or a NumPy array when lazy=False) has expected's shape,
    dtype and values. NaNs compare equal to NaNs."""
    expected = np.asarray(expected)
    if lazy:
        assert isinstance(actual, ts.Array), f"{context}: expected a lazy tessera.Array, got {type(actual).__name__}"
        assert actual.shape == expected.shape, f"{context}: lazy shape {actual.shape} != {expected.shape}"
        if check_dtype:
            assert actual.dtype == expected.dtype, f"{context}: lazy dtype {actual.dtype} != {expected.dtype}"
        actual = actual.compute()
    assert isinstance(actual, np.ndarray), f"{context}: computed {type(actual).__name__}, not a NumPy array"
    assert actual.shape == expected.shape, f"{context}: shape {actual.shape} != {expected.shape}"
    if check_dtype:
        assert actual.dtype == expected.dtype, f"{context}: dtype {actual.dtype} != {expected.dtype}"
    tol = tolerance(expected.dtype)
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol
    if expected.dtype.kind in "biu" and actual.dtype.kind in "biu" and tol == {"rtol": 0, "atol": 0}:
        np.testing.assert_array_equal(actual, expected, err_msg=context)
    else:
        np.testing.assert_allclose(actual, expected, equal_nan=True, err_msg=context, **tol)


def uneven_chunks(n: int) -> tuple[int, ...]:
    """Chunk sizes of an axis of length n that differ from each other (3, 1, 2, 3, 1, 2, ...)."""
    if n == 0:
        return (0,)
    sizes, pattern, i = [], (3, 1, 2), 0
    while sum(sizes) < n:
        sizes.append(min(pattern[i % 3], n - sum(sizes)))
        i += 1
    return tuple(sizes)


def chunkings(shape) -> list:
    """Chunk specs that cut `shape` differently: one element per chunk, uneven chunks, whole.
    (Whole is spelled -1 per axis, or explicitly where an axis is empty: -1 on an empty axis is
    a known bug, tested on its own in test_errors.py.)"""
    whole = tuple((n,) for n in shape) if 0 in shape else tuple(-1 for _ in shape)
    return [1, tuple(uneven_chunks(n) for n in shape), whole]


CHUNKING_IDS = ["ones", "uneven", "whole"]


def sample(rng: np.random.Generator, shape, dtype, *, low=None, high=None) -> np.ndarray:
    """Random values of dtype that stay clear of overflow in the tests' arithmetic:
    integers in [-10, 10] ([0, 10] unsigned), floats in [-3, 3], complex parts in [-3, 3]."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind == "i":
        return rng.integers(-10 if low is None else low, 11 if high is None else high, size=shape).astype(dtype)
    if dtype.kind == "u":
        return rng.integers(0 if low is None else low, 11 if high is None else high, size=shape).astype(dtype)
    lo, hi = (-3.0 if low is None else low), (3.0 if high is None else high)
    if dtype.kind == "f":
        return rng.uniform(lo, hi, size=shape).astype(dtype)
    return (rng.uniform(lo, hi, size=shape) + 1j * rng.uniform(lo, hi, size=shape)).astype(dtype)


@pytest.fixture
def rng(request):
    """A NumPy generator seeded from the test's name, so a failure reproduces; the seed is
    printed (pytest shows it with the failure)."""
    seed = sum(ord(c) * (i + 1) for i, c in enumerate(request.node.nodeid)) % (2**32)
    print(f"seed={seed}")
    return np.random.default_rng(seed)


@pytest.fixture(scope="session")
def client():
    """A two-worker client for the tests that talk to one explicitly."""
    c = ts.Client(n_workers=2, set_as_default=False)
    yield c
    c.close()
