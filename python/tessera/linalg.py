"""tessera.linalg: blocked linear algebra, BLAS per block (array API's linalg extension,
the functions tessera implements natively)."""
from __future__ import annotations

import operator

from . import _tessera
from ._array import Array, _native, _wrap


def matmul(x1, x2, /) -> Array:
    """NumPy matmul: batch axes broadcast; the contracted axis' chunks are aligned for you."""
    return _wrap(_tessera.matmul(_native(x1), _native(x2)))


def matrix_transpose(x, /) -> Array:
    return _wrap(_tessera.matrix_transpose(_native(x)))


def tensordot(x1, x2, /, *, axes=2) -> Array:
    if isinstance(axes, int):
        return _wrap(_tessera.tensordot(_native(x1), _native(x2), axes))
    a_axes, b_axes = axes
    a_axes = [a_axes] if isinstance(a_axes, int) else list(a_axes)
    b_axes = [b_axes] if isinstance(b_axes, int) else list(b_axes)
    return _wrap(_tessera.tensordot_axes(_native(x1), _native(x2), a_axes, b_axes))


def vecdot(x1, x2, /, *, axis=-1) -> Array:
    return _wrap(_tessera.vecdot(_native(x1), _native(x2), operator.index(axis)))


def outer(x1, x2, /) -> Array:
    return _wrap(_tessera.outer(_native(x1), _native(x2)))


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2) -> Array:  # noqa: A002
    from ._elementwise import FUNCTIONS
    absolute = FUNCTIONS["abs"](x)
    if ord == 2:
        return FUNCTIONS["sqrt"]((absolute * absolute).sum(axis=axis, keepdims=keepdims))
    if ord == 1:
        return absolute.sum(axis=axis, keepdims=keepdims)
    if ord == float("inf"):
        return absolute.max(axis=axis, keepdims=keepdims)
    if ord == -float("inf"):
        return absolute.min(axis=axis, keepdims=keepdims)
    if ord == 0:
        return (absolute != 0).astype(absolute.dtype).sum(axis=axis, keepdims=keepdims)
    return FUNCTIONS["pow"](FUNCTIONS["pow"](absolute, float(ord)).sum(axis=axis, keepdims=keepdims), 1.0 / ord)


def trace(x, /, *, offset=0, dtype=None) -> Array:
    from ._creation import eye
    x = x if isinstance(x, Array) else _wrap(_native(x))
    diagonal_mask = eye(x.shape[-2], x.shape[-1], k=offset, dtype="bool", chunks=x.chunks[-2:])
    from ._elementwise import where
    selected = where(diagonal_mask, x, 0)
    return selected.sum(axis=(-2, -1), dtype=dtype)
