"""Indexing: basic indices natively (views fused into consumers), boolean masks (the result
size is computed, not left unknown), integer arrays along one axis, and setitem."""
from __future__ import annotations

import operator

import numpy as np

from . import _tessera
from ._array import Array, _native, _wrap
from ._client import default_native


def _is_array_index(item) -> bool:
    return isinstance(item, (Array, np.ndarray, list))


def _expand_ellipsis(key: tuple, ndim: int) -> tuple:
    ellipses = [i for i, item in enumerate(key) if item is Ellipsis]
    if len(ellipses) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = sum(1 for item in key if item is not None and item is not Ellipsis and not _is_bool_array(item)) \
        + sum(_as_index_array(item).ndim for item in key if _is_bool_array(item))
    if not ellipses:
        return key
    i = ellipses[0]
    return key[:i] + (slice(None),) * max(0, ndim - consumed) + key[i + 1:]


def _as_index_array(item) -> Array:
    from ._creation import asarray
    return asarray(item)


def _is_bool_array(item) -> bool:
    if isinstance(item, Array):
        return item.dtype == np.bool_
    if isinstance(item, (np.ndarray, list)):
        return np.asarray(item).dtype == np.bool_
    return False


def getitem(x: Array, key) -> Array:
    if not isinstance(key, tuple):
        key = (key,)
    advanced = [i for i, item in enumerate(key) if _is_array_index(item)]
    if not advanced:
        return _wrap(x._c.getitem(list(key)))
    if len(advanced) > 1:
        raise IndexError("tessera supports one array among the entries of an index "
                         f"(got {len(advanced)}); index in steps, one array at a time")
    key = _expand_ellipsis(key, x.ndim)
    position = next(i for i, item in enumerate(key) if _is_array_index(item))
    index = _as_index_array(key[position])
    axis = sum(1 for item in key[:position] if item is not None)
    if index.dtype == np.bool_:
        if axis != 0 or position != 0 or len(key) > 1:
            if all(isinstance(item, slice) and item == slice(None) for item in key[:position]):
                moved = _move_to_front(x, axis, index.ndim)
                selected = _wrap(_tessera.boolean_index(default_native(), moved._c, index._c))
                if axis:  # NumPy puts the selection where the mask's axes were
                    order = list(range(1, axis + 1)) + [0] + list(range(axis + 1, selected.ndim))
                    selected = _wrap(_tessera.permute_dims(selected._c, order))
                rest = key[position + 1:]
                return getitem(selected, (slice(None),) * (axis + 1) + rest) if rest else selected
            raise IndexError("a boolean array index must come first or after full slices only")
        return _wrap(_tessera.boolean_index(default_native(), x._c, index._c))
    if index.dtype.kind not in "iu":
        raise IndexError(f"arrays used as indices must be of integer or boolean type, not {index.dtype}")
    flat = index if index.ndim == 1 else _reshape(index, (-1,))
    taken = _wrap(_tessera.take(x._c, flat._c, axis))
    if index.ndim != 1:
        shape = taken.shape[:axis] + index.shape + taken.shape[axis + 1:]
        taken = _reshape(taken, shape)
    rest = key[:position] + (slice(None),) * index.ndim + key[position + 1:]
    return getitem(taken, rest) if any(not (isinstance(k, slice) and k == slice(None)) for k in rest) else taken


def _move_to_front(x: Array, axis: int, count: int) -> Array:
    if axis == 0:
        return x
    order = list(range(axis, axis + count)) + [a for a in range(x.ndim) if not axis <= a < axis + count]
    return _wrap(_tessera.permute_dims(x._c, order))


def _reshape(x: Array, shape) -> Array:
    from ._reshaping import reshape
    return reshape(x, shape)


def setitem(x: Array, key, value) -> Array:
    """x with x[key] = value, as a new lazy array."""
    if not isinstance(key, tuple):
        key = (key,)
    if len(key) == 1 and _is_bool_array(key[0]):
        mask = _as_index_array(key[0])
        if mask.shape != x.shape:
            raise IndexError(f"boolean index of shape {mask.shape} does not match the array's shape {x.shape}")
        value = _native(value)
        if value.ndim != 0:
            raise ValueError("assigning through a boolean mask takes a scalar value (or a 0-d array)")
        return _wrap(_tessera.where(mask._c, value, x._c)).astype(x.dtype)
    if any(_is_array_index(item) for item in key):
        raise IndexError("setitem takes basic indices (integers, slices, None, ...) or one boolean mask")
    if type(value) in (bool, int, float, complex):
        return _wrap(_tessera.setitem_scalar(x._c, list(key), value))
    return _wrap(_tessera.setitem(x._c, list(key), _native(value)))


def take(x, indices, /, *, axis=None) -> Array:
    x = _native(x)
    indices = _as_index_array(indices)
    return _wrap(_tessera.take(x, indices._c, None if axis is None else operator.index(axis)))
