"""The array API's elementwise functions, with broadcasting and type promotion done natively."""
from __future__ import annotations

from . import _tessera
from ._array import Array, _native, _wrap

UNARY = (
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "bitwise_invert", "ceil", "conj", "cos",
    "cosh", "exp", "expm1", "floor", "imag", "isfinite", "isinf", "isnan", "log", "log1p", "log2",
    "log10", "logical_not", "negative", "positive", "real", "round", "sign", "signbit", "sin", "sinh",
    "sqrt", "square", "tan", "tanh", "trunc",
)
BINARY = (
    "add", "atan2", "bitwise_and", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "copysign", "divide", "equal", "floor_divide", "greater", "greater_equal", "hypot",
    "less", "less_equal", "logaddexp", "logical_and", "logical_or", "logical_xor", "maximum", "minimum",
    "multiply", "not_equal", "pow", "remainder", "subtract",
)


def _make_unary(op: str):
    def function(x, /) -> Array:
        return _wrap(_tessera.elementwise(op, [_native(x)]))

    function.__name__ = function.__qualname__ = op
    function.__doc__ = f"Elementwise {op} (array API), lazily."
    return function


def _make_binary(op: str):
    def function(x1, x2, /) -> Array:
        return _wrap(_tessera.elementwise(op, [_native(x1), _native(x2)]))

    function.__name__ = function.__qualname__ = op
    function.__doc__ = f"Elementwise {op} (array API) with broadcasting, lazily."
    return function


FUNCTIONS = {op: _make_unary(op) for op in UNARY}
FUNCTIONS.update({op: _make_binary(op) for op in BINARY})


def where(condition, x1, x2, /) -> Array:
    return _wrap(_tessera.where(_native(condition), _native(x1), _native(x2)))


def clip(x, /, min=None, max=None) -> Array:  # noqa: A002 - the array API's names
    if isinstance(min, Array) or isinstance(max, Array):
        out = _native(x)
        if min is not None:
            out = _tessera.elementwise("maximum", [out, _native(min)])
        if max is not None:
            out = _tessera.elementwise("minimum", [out, _native(max)])
        return _wrap(out)
    return _wrap(_tessera.clip(_native(x), min, max))
