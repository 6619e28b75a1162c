"""Bad input raises the built-in exception a NumPy user expects (ValueError, TypeError,
IndexError), with a message that names the offending shapes, axes, chunks or dtypes."""
from __future__ import annotations

import re

import numpy as np
import pytest

import tessera as ts


@pytest.fixture
def x():
    return ts.zeros((3, 4), chunks=2)


def shape_pattern(*shapes):
    """A regex matching every shape, written as Python writes tuples."""
    return ".*".join(re.escape(str(s)) for s in shapes)


# ---- broadcasting ----

@pytest.mark.parametrize("make", [
    lambda x: x + ts.zeros(5),
    lambda x: ts.multiply(x, np.zeros(5)),
    lambda x: ts.where(x > 0, x, ts.zeros(5)),
    lambda x: ts.maximum(ts.zeros(5), x),
], ids=["operator", "numpy operand", "where", "reflected"])
def test_broadcast_mismatch(x, make):
    with pytest.raises(ValueError, match=r"\(3, 4\)") as error:
        make(x)
    assert "(5,)" in str(error.value) and "broadcast" in str(error.value)


def test_broadcast_to_mismatch(x):
    with pytest.raises(ValueError, match=shape_pattern((3, 4), (4, 4))):
        ts.broadcast_to(x, (4, 4))
    with pytest.raises(ValueError):
        ts.broadcast_shapes((2, 3), (4,))


# ---- axes ----

@pytest.mark.parametrize("call", [
    lambda x: x.sum(axis=2), lambda x: x.mean(axis=-3), lambda x: x.max(axis=(0, 5)), lambda x: x.argmax(axis=2),
    lambda x: ts.flip(x, axis=3), lambda x: ts.concat([x, x], axis=2), lambda x: ts.stack([x, x], axis=4),
    lambda x: ts.expand_dims(x, axis=4), lambda x: ts.squeeze(x, axis=-3), lambda x: ts.unstack(x, axis=2),
], ids=["sum", "mean negative", "max tuple", "argmax", "flip", "concat", "stack", "expand_dims", "squeeze", "unstack"])
def test_axis_out_of_bounds(x, call):
    with pytest.raises((IndexError, ValueError), match=r"axis -?\d+ is out of bounds .*dimension"):
        call(x)


def test_repeated_and_wrong_axes(x):
    with pytest.raises(ValueError, match=re.escape("(0, 0)")):
        x.sum(axis=(0, 0))
    with pytest.raises(ValueError, match=re.escape("(0, 0)")):
        ts.permute_dims(x, (0, 0))
    with pytest.raises(ValueError, match=re.escape("(0,)")):
        ts.permute_dims(x, (0,))
    with pytest.raises(ValueError, match=shape_pattern((3, 4))):
        ts.squeeze(x, axis=0)  # a side of length 3


def test_joins_of_mismatched_shapes(x):
    with pytest.raises(ValueError, match=shape_pattern((3, 4), (3, 5))):
        ts.concat([x, ts.zeros((3, 5))])
    with pytest.raises(ValueError):
        ts.stack([x, ts.zeros((4, 3))])
    with pytest.raises(ValueError, match="at least one"):
        ts.concat([])
    with pytest.raises(ValueError, match="at least one"):
        ts.stack([])


# ---- chunks ----

@pytest.mark.parametrize("chunks,pattern", [
    ((1,), r"\(1,\).*2 axes"),
    (((1, 1), (4,)), r"do not cover axis 0 of length 3"),
    (((1, 1, 1), (2, 3)), r"do not cover axis 1 of length 4"),
    (-2, r"-2"),
    (0, r"chunk size 0"),
    ("big", r"'big'"),
])
def test_bad_chunks(chunks, pattern):
    with pytest.raises(ValueError, match=pattern):
        ts.asarray(np.zeros((3, 4)), chunks=chunks)


def test_bad_chunks_type():
    with pytest.raises(TypeError, match="chunks"):
        ts.asarray(np.zeros((3, 4)), chunks=1.5)


def test_bad_rechunk(x):
    with pytest.raises(ValueError, match="do not cover axis 0 of length 3"):
        x.rechunk(((1, 1), (4,)))


def test_malformed_nested_chunks():
    with pytest.raises((TypeError, ValueError)):
        ts.asarray(np.zeros(3), chunks=(((1,), 2),))


@pytest.mark.parametrize("make", [
    lambda: ts.asarray(np.zeros((0, 3)), chunks=(-1, -1)),
    lambda: ts.zeros((0,), chunks=(-1,)),
    lambda: ts.arange(0, chunks=(-1,)),
    lambda: ts.asarray(np.zeros((2, 0)), chunks=(1, -1)),
], ids=["asarray", "zeros", "arange", "second axis"])
def test_whole_axis_chunks_on_an_empty_axis(make):
    x = make()
    assert all(c == (x.shape[i],) or x.shape[i] != 0 for i, c in enumerate(x.chunks))
    assert x.compute().size == 0


# ---- dtypes ----

@pytest.mark.parametrize("host", [
    np.array([1, "a"], dtype=object), np.array(["text"]), np.array(["2020-01-01"], dtype="datetime64[D]"),
    np.zeros(2, dtype=np.longdouble), np.zeros(2, dtype=np.clongdouble),
], ids=["object", "str", "datetime64", "longdouble", "clongdouble"])
def test_unsupported_dtype_of_host_data(host):
    with pytest.raises(TypeError, match=re.escape(host.dtype.name)) as error:
        ts.asarray(host)
    assert "float64" in str(error.value)  # the message lists the dtypes tessera has


@pytest.mark.parametrize("dtype", [object, "float128", "complex256", "U3", "m8[s]"])
def test_unsupported_dtype_argument(x, dtype):
    name = np.dtype(dtype).name
    with pytest.raises(TypeError, match=re.escape(name)):
        ts.zeros(3, dtype=dtype)
    with pytest.raises(TypeError, match=re.escape(name)):
        x.astype(dtype)


def test_operation_not_defined_for_dtype(x):
    with pytest.raises(TypeError, match="bitwise_and.*float64"):
        ts.bitwise_and(x, x)
    with pytest.raises(TypeError, match="floor.*complex128"):
        ts.floor(ts.zeros(2, dtype="complex128")).compute()


def test_unsupported_operands(x):
    with pytest.raises(TypeError, match="str"):
        x + "a"
    with pytest.raises(TypeError, match="object"):
        x * object()
    with pytest.raises(TypeError):
        ts.clip(x, "a")
    with pytest.raises(TypeError, match="made by tessera"):
        ts.Array(5)


def test_python_int_too_large():
    with pytest.raises((ValueError, OverflowError), match=str(2**70)):
        ts.full(3, 2**70)


# ---- linear algebra ----

@pytest.mark.parametrize("a,b,pattern", [
    ((3, 4), (5, 2), r"\(3, 4\).*\(5, 2\)"),
    ((4,), (3,), r"\(4,\).*\(3,\)"),
    ((2, 3, 4), (3, 4, 5), r"\(2, 3, 4\).*\(3, 4, 5\)"),
    ((), (3,), r"0-d"),
])
def test_matmul_shape_mismatch(a, b, pattern):
    with pytest.raises(ValueError, match=pattern):
        ts.matmul(ts.zeros(a), ts.zeros(b))


def test_matmul_operator_mismatch():
    with pytest.raises(ValueError, match="4.*5"):
        ts.zeros((3, 4)) @ ts.zeros((5, 2))
    with pytest.raises(ValueError):
        np.zeros((3, 4)) @ ts.zeros((5, 2))


# ---- creation ----

def test_creation_arguments():
    with pytest.raises(ValueError, match=re.escape("(-1, 3)")):
        ts.zeros((-1, 3))
    with pytest.raises(ValueError, match="-2"):
        ts.eye(-2)
    with pytest.raises(ValueError, match="-3"):
        ts.linspace(0, 1, -3)
    with pytest.raises(ValueError, match="step"):
        ts.arange(0, 1, 0)
    with pytest.raises(ValueError, match="cuda"):
        ts.zeros(3, device="cuda")
    with pytest.raises(ValueError, match=re.escape("(-1,)")):
        ts.random.random((-1,))


# ---- conversions ----

def test_scalar_conversions_of_arrays(x):
    with pytest.raises(TypeError, match=re.escape("(3, 4)")):
        int(x)
    with pytest.raises(TypeError, match=re.escape("(3, 4)")):
        bool(x)
    with pytest.raises(TypeError, match="float64"):
        import operator
        operator.index(ts.asarray(1.5))
    with pytest.raises(ValueError, match="1999.01"):
        x.__array_namespace__("1999.01")
    with pytest.raises(ValueError, match="floats"):
        ts.isdtype(np.float64, "floats")
