"""Reductions (array API statistical and utility functions)."""
from __future__ import annotations

import builtins

import numpy as np

from ._array import Array, _wrap
from ._creation import asarray

_NO_AXES_DTYPE = {"sum": None, "prod": None, "mean": "float", "var": "float", "std": "float",
                  "min": None, "max": None, "any": "bool", "all": "bool"}


def reduce_no_axes(x: Array, op: str, correction: float = 0.0) -> Array:
    """A reduction over the empty set of axes: each element on its own (NumPy's axis=())."""
    from . import _tessera
    if op in ("any", "all"):
        return x != 0 if x.dtype != np.bool_ else x
    if op in ("var", "std"):
        # NumPy's formula with one element: |x - mean|**2 / max(1 - correction, 0), real-valued
        # (NaN where x is not finite or the correction leaves no degrees of freedom).
        if x.dtype.kind in "biu":
            x = x.astype(np.float64)
        deviation = _wrap(_tessera.elementwise("abs", [(x - x)._c]))
        var = deviation * deviation / builtins.max(1.0 - correction, 0.0)
        return var if op == "var" else _wrap(_tessera.elementwise("sqrt", [var._c]))
    if op == "mean":
        return x.astype(np.result_type(x.dtype, np.float64) if x.dtype.kind in "biu" else x.dtype)
    if op in ("sum", "prod") and x.dtype.kind in "biu":
        return x.astype("uint64" if x.dtype.kind == "u" else "int64")
    return x


def _method(name: str):
    def function(x, /, *, axis=None, keepdims=False, **kwargs):
        return getattr(asarray(x), name)(axis=axis, keepdims=keepdims, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{name} over the given axes (all when None), as the array API's {name}."
    return function


sum = _method("sum")  # noqa: A001 - the array API's name
prod = _method("prod")
mean = _method("mean")
min = _method("min")  # noqa: A001
max = _method("max")  # noqa: A001
any = _method("any")  # noqa: A001
all = _method("all")  # noqa: A001


def var(x, /, *, axis=None, correction=0.0, keepdims=False, **kwargs):
    return asarray(x).var(axis=axis, correction=correction, keepdims=keepdims, **kwargs)


def std(x, /, *, axis=None, correction=0.0, keepdims=False, **kwargs):
    return asarray(x).std(axis=axis, correction=correction, keepdims=keepdims, **kwargs)


def argmin(x, /, *, axis=None, keepdims=False):
    return asarray(x).argmin(axis=axis, keepdims=keepdims)


def argmax(x, /, *, axis=None, keepdims=False):
    return asarray(x).argmax(axis=axis, keepdims=keepdims)
