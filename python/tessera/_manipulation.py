"""Shape manipulation: views that fuse into the consuming task, and joins."""
from __future__ import annotations

import operator

from . import _tessera
from ._array import Array, _native, _wrap


def _axis_list(axis) -> list[int]:
    if axis is None:
        return []
    if isinstance(axis, (tuple, list)):
        return [operator.index(a) for a in axis]
    return [operator.index(axis)]


def permute_dims(x, /, axes) -> Array:
    return _wrap(_tessera.permute_dims(_native(x), [operator.index(a) for a in axes]))


def transpose(x, axes=None) -> Array:
    return _wrap(_native(x).transpose([] if axes is None else [operator.index(a) for a in axes]))


def matrix_transpose(x, /) -> Array:
    return _wrap(_tessera.matrix_transpose(_native(x)))


def broadcast_to(x, /, shape) -> Array:
    return _wrap(_tessera.broadcast_to(_native(x), tuple(shape)))


def broadcast_shapes(*shapes) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for i, n in enumerate(shape, start=ndim - len(shape)):
            if n != 1 and out[i] not in (1, n):
                raise ValueError(f"shapes {', '.join(map(str, shapes))} cannot be broadcast together")
            out[i] = n if n != 1 else out[i]
    return tuple(out)


def broadcast_arrays(*arrays) -> list[Array]:
    from ._creation import asarray
    arrays = [asarray(a) for a in arrays]
    shape = broadcast_shapes(*(a.shape for a in arrays))
    return [broadcast_to(a, shape) for a in arrays]


def expand_dims(x, /, axis=0) -> Array:
    out = _native(x)
    axes = _axis_list(axis)
    ndim = out.ndim + len(axes)
    normalized = sorted(a + ndim if a < 0 else a for a in axes)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"repeated axis in {tuple(axes)} for a result of dimension {ndim}")
    for a in normalized:
        out = _tessera.expand_dims(out, a)
    return _wrap(out)


def reshape_to_axis(x: Array, axis: int, ndim: int) -> Array:
    """A 1-d array laid along `axis` of an ndim-dimensional shape of ones elsewhere."""
    return expand_dims(x, axis=[a for a in range(ndim) if a != axis]) if ndim > 1 else x


def squeeze(x, /, axis=None) -> Array:
    x = _native(x)
    axes = [i for i, n in enumerate(x.shape) if n == 1] if axis is None else _axis_list(axis)
    return _wrap(_tessera.squeeze(x, axes))


def flip(x, /, *, axis=None) -> Array:
    return _wrap(_tessera.flip(_native(x), _axis_list(axis)))


def concat(arrays, /, *, axis=0) -> Array:
    arrays = [_native(a) for a in arrays]
    if axis is None:
        arrays = [_tessera.elementwise("positive", [a]) if a.ndim == 1 else _flatten(a) for a in arrays]
        axis = 0
    return _wrap(_tessera.concat(arrays, operator.index(axis)))


def _flatten(x):
    from ._reshaping import reshape
    return reshape(_wrap(x), (-1,))._c


def stack(arrays, /, *, axis=0) -> Array:
    return _wrap(_tessera.stack([_native(a) for a in arrays], operator.index(axis)))


def unstack(x, /, *, axis=0) -> tuple[Array, ...]:
    x = _native(x)
    axis = operator.index(axis)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis {axis} is out of bounds for an array of {x.ndim} dimensions")
    axis %= x.ndim
    prefix = [slice(None)] * axis
    return tuple(_wrap(x.getitem(prefix + [i])) for i in range(x.shape[axis]))
