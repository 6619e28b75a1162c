"""Property tests (Hypothesis): for random shapes (0-3 dimensions, sides 0-7), random chunk
grids and random expressions of elementwise operations ending, or not, in a reduction, the
result equals NumPy's and does not depend on the chunking: elementwise results are identical
bit for bit under two chunkings, reductions (whose summation order follows the chunks) agree
to rounding."""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tessera as ts
from conftest import assert_array_matches

SETTINGS = settings(max_examples=30, deadline=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

shapes = st.lists(st.integers(0, 7), min_size=0, max_size=3).map(tuple)


@st.composite
def chunk_grids(draw, shape):
    """Explicit chunks: per axis, positive sizes that add up to the side ((0,) for an empty side)."""
    grid = []
    for n in shape:
        if n == 0:
            grid.append((0,))
            continue
        cuts = draw(st.sets(st.integers(1, n - 1), max_size=n - 1)) if n > 1 else set()
        bounds = [0, *sorted(cuts), n]
        grid.append(tuple(b - a for a, b in zip(bounds, bounds[1:])))
    return tuple(grid)


# Expressions over two operands x and y of one shape: (name, tessera function, NumPy function).
FLOAT_UNARY = [
    ("neg", lambda m, a: -a), ("abs", lambda m, a: abs(a)), ("sin", lambda m, a: m.sin(a)),
    ("tanh", lambda m, a: m.tanh(a)), ("half", lambda m, a: a * 0.5), ("shift", lambda m, a: 1.5 - a),
    ("square", lambda m, a: a * a), ("sign", lambda m, a: m.sign(a)), ("floor", lambda m, a: m.floor(a)),
]
INT_UNARY = [
    ("neg", lambda m, a: -a), ("abs", lambda m, a: abs(a)), ("plus3", lambda m, a: a + 3),
    ("and6", lambda m, a: a & 6), ("div3", lambda m, a: a // 3), ("mod4", lambda m, a: a % 4),
]
BINARY = [
    ("add", lambda m, a, b: a + b), ("sub", lambda m, a, b: a - b), ("mul", lambda m, a, b: a * b),
    ("max", lambda m, a, b: m.maximum(a, b)), ("min", lambda m, a, b: m.minimum(a, b)),
    ("where", lambda m, a, b: m.where(a > b, a, b - 1)),
]


@st.composite
def expressions(draw, dtype):
    """A random expression tree over the leaves x and y, up to depth 3, as a callable of a
    namespace (ts or np) and the two operands."""
    unary = FLOAT_UNARY if dtype == "float64" else INT_UNARY

    def build(depth):
        choice = draw(st.integers(0, 2)) if depth < 3 else 0
        if choice == 0:
            leaf = draw(st.sampled_from(["x", "y"]))
            return leaf, (lambda m, x, y: x) if leaf == "x" else (lambda m, x, y: y)
        if choice == 1:
            name, fn = draw(st.sampled_from(unary))
            inner_name, inner = build(depth + 1)
            return f"{name}({inner_name})", lambda m, x, y: fn(m, inner(m, x, y))
        name, fn = draw(st.sampled_from(BINARY))
        (left_name, left), (right_name, right) = build(depth + 1), build(depth + 1)
        return f"{name}({left_name}, {right_name})", lambda m, x, y: fn(m, left(m, x, y), right(m, x, y))

    return build(0)


REDUCTIONS = ["sum", "mean", "max", "min", "var", "std", "any", "all"]


@st.composite
def reductions(draw, ndim):
    """None (no reduction) or (op, axis, keepdims) with axis None, an int or a tuple."""
    if draw(st.booleans()):
        return None
    op = draw(st.sampled_from(REDUCTIONS))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none" or ndim == 0:
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-ndim, ndim - 1))
    else:
        axis = tuple(draw(st.sets(st.integers(0, ndim - 1), min_size=0, max_size=ndim)))
    return op, axis, draw(st.booleans())


def apply_reduction(m, value, reduction):
    if reduction is None:
        return value
    op, axis, keepdims = reduction
    if op in ("any", "all"):
        value = value > 0
    return getattr(m, op)(value, axis=axis, keepdims=keepdims)


@st.composite
def cases(draw):
    shape = draw(shapes)
    dtype = draw(st.sampled_from(["float64", "int64"]))
    return {
        "shape": shape,
        "dtype": dtype,
        "seed": draw(st.integers(0, 2**32 - 1)),
        "chunks_a": draw(chunk_grids(shape)),
        "chunks_b": draw(chunk_grids(shape)),
        "expression": draw(expressions(dtype)),
        "reduction": draw(reductions(len(shape))),
    }


def make_operands(case):
    rng = np.random.default_rng(case["seed"])
    if case["dtype"] == "float64":
        return rng.uniform(-3, 3, size=(2, *case["shape"]))
    return rng.integers(-10, 11, size=(2, *case["shape"])).astype(np.int64)


@SETTINGS
@given(cases())
def test_expressions_match_numpy_and_ignore_chunking(case):
    shape, reduction = case["shape"], case["reduction"]
    if reduction is not None and reduction[0] in ("max", "min"):
        _, axis, _ = reduction
        axes = range(len(shape)) if axis is None else ([axis] if isinstance(axis, int) else axis)
        if any(shape[a] == 0 for a in axes):
            return  # NumPy raises: min/max of nothing (test_reductions checks tessera raises too)
    name, expression = case["expression"]
    a, b = make_operands(case)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's mean/var of nothing warn
        expected = np.asarray(apply_reduction(np, expression(np, a, b), reduction))
    results = []
    for chunks in (case["chunks_a"], case["chunks_b"]):
        x, y = ts.asarray(a, chunks=chunks), ts.asarray(b, chunks=chunks)
        got = apply_reduction(ts, expression(ts, x, y), reduction)
        context = f"{name} then {reduction} on {case['dtype']}{list(shape)}, chunks={chunks}"
        assert_array_matches(got, expected, rtol=1e-10, atol=1e-9, context=context)
        results.append(got.compute())
    if reduction is None or reduction[0] in ("max", "min", "any", "all"):
        # no rounding involved: the same bits under every chunking
        np.testing.assert_array_equal(results[0], results[1], err_msg=f"{name}: chunkings disagree")
    else:
        np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-12,
                                   err_msg=f"{name}: chunkings disagree")


@SETTINGS
@given(shape=shapes, data=st.data())
def test_rechunk_roundtrip_preserves_values(shape, data):
    host = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    first, second = data.draw(chunk_grids(shape)), data.draw(chunk_grids(shape))
    x = ts.asarray(host, chunks=first)
    assert x.chunks == first
    y = x.rechunk(second)
    assert y.chunks == second
    np.testing.assert_array_equal(y.compute(), host)
    np.testing.assert_array_equal((y - x).compute(), np.zeros(shape))


@SETTINGS
@given(shape=st.lists(st.integers(0, 7), min_size=1, max_size=3).map(tuple), data=st.data())
def test_basic_indexing_matches_numpy(shape, data):
    host = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    chunks = data.draw(chunk_grids(shape))
    key = []
    for n in shape:
        kind = data.draw(st.sampled_from(["slice", "int", "none"]))
        if kind == "int" and n > 0:
            key.append(data.draw(st.integers(-n, n - 1)))
        else:
            key.append(slice(data.draw(st.one_of(st.none(), st.integers(-9, 9))),
                             data.draw(st.one_of(st.none(), st.integers(-9, 9))),
                             data.draw(st.sampled_from([None, 1, 2, 3, -1, -2, -3]))))
            if kind == "none":
                key.append(None)
    key = tuple(key)
    assert_array_matches(ts.asarray(host, chunks=chunks)[key], host[key], context=f"key={key}")
