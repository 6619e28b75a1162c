"""NumPy's protocols: np.sin(x), np.mean(x), np.concatenate([x, y]) on tessera arrays give
lazy tessera arrays. Functions tessera lacks compute their arguments and run in NumPy,
with a warning that says so (as dask.array does)."""
from __future__ import annotations

import warnings

import numpy as np

from ._array import Array

# NumPy ufunc names that differ from the array API's.
_UFUNC_NAMES = {
    "true_divide": "divide", "power": "pow", "absolute": "abs", "arcsin": "asin", "arccos": "acos",
    "arctan": "atan", "arctan2": "atan2", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
    "invert": "bitwise_invert", "left_shift": "bitwise_left_shift", "right_shift": "bitwise_right_shift",
    "conjugate": "conj", "rint": "round", "mod": "remainder",
}
_REDUCING_UFUNCS = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min",
                    "logical_and": "all", "logical_or": "any"}
# NumPy functions whose tessera spelling differs.
_FUNCTION_NAMES = {
    "concatenate": "concat", "transpose": "permute_dims_or_transpose", "power": "pow", "absolute": "abs",
    "amax": "max", "amin": "min", "around": "round", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
    "arctan2": "atan2", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "invert": "bitwise_invert",
    "left_shift": "bitwise_left_shift", "right_shift": "bitwise_right_shift", "conjugate": "conj",
    "true_divide": "divide", "mod": "remainder",
}


def _namespace():
    import tessera
    return tessera


def array_ufunc(ufunc, method, inputs, kwargs):
    out = kwargs.get("out")
    if any(isinstance(o, Array) for o in (out if isinstance(out, tuple) else (out,))):
        return NotImplemented  # tessera arrays are immutable: no out=
    ts = _namespace()
    name = _UFUNC_NAMES.get(ufunc.__name__, ufunc.__name__)
    if method == "__call__" and not kwargs:
        function = getattr(ts, name, None)
        if function is not None:
            return function(*inputs)
    if method == "reduce" and ufunc.__name__ in _REDUCING_UFUNCS and len(inputs) == 1 \
            and set(kwargs) <= {"axis", "keepdims"}:
        axis = kwargs.get("axis", 0)
        keepdims = kwargs.get("keepdims", False)
        return getattr(ts, _REDUCING_UFUNCS[ufunc.__name__])(inputs[0], axis=axis, keepdims=keepdims)
    # Other ufuncs, methods (accumulate, outer, ...) and keywords (where=, dtype=, initial=,
    # out= a NumPy array): NumPy runs them on the computed arguments.
    spelled = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    warnings.warn(f"tessera has no lazy {spelled} with these arguments: its arguments were computed "
                  "and NumPy ran it", UserWarning, stacklevel=3)
    return getattr(ufunc, method)(*_to_numpy(inputs), **_to_numpy(kwargs))


def array_function(func, types, args, kwargs):
    ts = _namespace()
    if not all(issubclass(t, (Array, np.ndarray)) for t in types):
        return NotImplemented
    name = _FUNCTION_NAMES.get(func.__name__, func.__name__)
    implementation = _NUMPY_STYLE.get(name) or getattr(ts, name, None)
    if implementation is not None and getattr(func, "__module__", "").startswith("numpy") \
            and not getattr(func, "__module__", "").startswith(("numpy.linalg", "numpy.fft", "numpy.random")):
        try:
            return implementation(*args, **kwargs)
        except TypeError:
            pass  # NumPy spelled an argument tessera does not take: fall back below
    warnings.warn(f"tessera has no lazy {func.__module__}.{func.__name__}: its arguments were computed "
                  "and NumPy ran it", UserWarning, stacklevel=3)
    return func(*_to_numpy(args), **_to_numpy(kwargs))


def _to_numpy(obj):
    if isinstance(obj, Array):
        return obj.compute()
    if type(obj) in (list, tuple):
        return type(obj)(_to_numpy(item) for item in obj)
    if type(obj) is dict:
        return {k: _to_numpy(v) for k, v in obj.items()}
    return obj


def _with_numpy_keywords(name: str):
    """NumPy's signature (axis=, keepdims=, dtype=, ddof=) for a tessera reduction."""
    def function(a, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        if out is not None:
            raise TypeError("tessera arrays are immutable: out= is not supported")
        ts = _namespace()
        x = ts.asarray(a)
        if dtype is not None:
            kwargs["dtype"] = dtype
        return getattr(x, name)(axis=axis, keepdims=keepdims, **kwargs)

    return function


def _transpose(a, axes=None):
    return _namespace().transpose(a, axes)


def _concatenate(arrays, axis=0, **kwargs):
    if kwargs:
        raise TypeError("concatenate's out= and casting= are not supported")
    return _namespace().concat(arrays, axis=axis)


def _stack(arrays, axis=0, **kwargs):
    if kwargs:
        raise TypeError("stack's out= is not supported")
    return _namespace().stack(arrays, axis=axis)


_NUMPY_STYLE = {name: _with_numpy_keywords(name) for name in ("sum", "prod", "mean", "var", "std")}
_NUMPY_STYLE.update({
    "max": lambda a, axis=None, keepdims=False: _namespace().asarray(a).max(axis=axis, keepdims=keepdims),
    "min": lambda a, axis=None, keepdims=False: _namespace().asarray(a).min(axis=axis, keepdims=keepdims),
    "any": lambda a, axis=None, keepdims=False: _namespace().asarray(a).any(axis=axis, keepdims=keepdims),
    "all": lambda a, axis=None, keepdims=False: _namespace().asarray(a).all(axis=axis, keepdims=keepdims),
    "permute_dims_or_transpose": _transpose,
    "concat": _concatenate,
    "stack": _stack,
})
