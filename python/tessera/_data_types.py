"""dtypes: NumPy's dtype objects, and the array API's data type functions."""
from __future__ import annotations

import builtins

import ml_dtypes  # registers bfloat16 with NumPy, which has none of its own
import numpy as np

from . import _tessera
from ._array import Array

bool = np.dtype("bool")  # noqa: A001 - the array API's name
int8, int16, int32, int64 = (np.dtype(f"int{n}") for n in (8, 16, 32, 64))
uint8, uint16, uint32, uint64 = (np.dtype(f"uint{n}") for n in (8, 16, 32, 64))
float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
bfloat16 = np.dtype(ml_dtypes.bfloat16)
complex64, complex128 = np.dtype("complex64"), np.dtype("complex128")

DTYPES = (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, bfloat16, float32, float64,
          complex64, complex128)

_KINDS = {
    "bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
    "real floating": "f", "complex floating": "c", "numeric": "iufc",
}


def _dtype_of(x) -> np.dtype:
    return x.dtype if isinstance(x, Array) else np.dtype(x)


def astype(x, dtype, /, *, copy=True, device=None) -> Array:
    from ._creation import _check_device, asarray
    _check_device(device)
    return asarray(x).astype(dtype)


_PYTHON_SCALARS = (builtins.bool, int, float, complex)


def _promotion_operand(a):
    """An array's dtype; dtypes, their names and Python scalars (weak) as they are."""
    if type(a) in _PYTHON_SCALARS or isinstance(a, (type, str, np.dtype)):
        return a
    return getattr(a, "dtype", a)


def result_type(*arrays_and_dtypes):
    """NumPy's promotion (the array API's table, with NumPy's rules where it is silent);
    Python scalars promote weakly. bfloat16, which NumPy does not know, promotes as
    tessera's kernels do: like float16 with everything else, and with float16 to float32."""
    args = [_promotion_operand(a) for a in arrays_and_dtypes]
    dtypes = [np.dtype(a) for a in args if type(a) not in _PYTHON_SCALARS]
    if bfloat16 not in dtypes:
        return np.result_type(*args)
    out = dtypes[0]
    for other in dtypes[1:] + [a for a in args if type(a) in _PYTHON_SCALARS]:  # scalars last: weak
        out = _tessera.result_type(out, other)
    return out


def can_cast(from_, to, /) -> bool:
    from_, to = _dtype_of(from_), np.dtype(to)
    if bfloat16 in (from_, to):
        return _tessera.can_cast(from_, to)
    return np.can_cast(from_, to)


def finfo(type, /):  # noqa: A002 - the array API's name
    dtype = _dtype_of(type)
    return ml_dtypes.finfo(dtype) if dtype == bfloat16 else np.finfo(dtype)


def iinfo(type, /):  # noqa: A002
    return np.iinfo(_dtype_of(type))


def _kind(dtype: np.dtype) -> str:
    """NumPy's kind letter; bfloat16, an opaque 'V' to NumPy, is a real float."""
    return "f" if dtype == bfloat16 else dtype.kind


def isdtype(dtype, kind) -> bool:
    dtype = np.dtype(dtype)
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"unknown dtype kind {kind!r}; expected one of {sorted(_KINDS)}")
        return _kind(dtype) in _KINDS[kind]
    return dtype == np.dtype(kind)
