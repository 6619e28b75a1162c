"""Reshaping (chunk-aware), axis moves, roll, tile, repeat, and cumulative scans."""
from __future__ import annotations

import operator

import numpy as np

from . import _tessera
from ._array import Array, _native, _wrap


def _ints(values) -> list[int]:
    if isinstance(values, (tuple, list)):
        return [operator.index(v) for v in values]
    return [operator.index(values)]


def reshape(x, /, shape, *, copy=None) -> Array:
    """C-order reshape; a view when the chunks line up, else a rechunk first (as dask)."""
    return _wrap(_tessera.reshape(_native(x), _ints(shape)))


def moveaxis(x, source, destination, /) -> Array:
    return _wrap(_tessera.moveaxis(_native(x), _ints(source), _ints(destination)))


def roll(x, /, shift, *, axis=None) -> Array:
    return _wrap(_tessera.roll(_native(x), _ints(shift), [] if axis is None else _ints(axis)))


def tile(x, repetitions, /) -> Array:
    return _wrap(_tessera.tile(_native(x), _ints(repetitions)))


def repeat(x, repeats, /, *, axis=None) -> Array:
    if isinstance(repeats, (Array, np.ndarray, list, tuple)):
        raise TypeError("tessera's repeat takes one count for every element (an int)")
    return _wrap(_tessera.repeat(_native(x), operator.index(repeats), None if axis is None else operator.index(axis)))


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False) -> Array:
    return _wrap(_tessera.cumulative_sum(_native(x), None if axis is None else operator.index(axis),
                                         None if dtype is None else np.dtype(dtype), bool(include_initial)))


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False) -> Array:
    return _wrap(_tessera.cumulative_prod(_native(x), None if axis is None else operator.index(axis),
                                          None if dtype is None else np.dtype(dtype), bool(include_initial)))


def cumsum(x, axis=None, dtype=None) -> Array:
    """NumPy's cumsum: the flattened array when axis is None."""
    x = _wrap(_native(x))
    if axis is None and x.ndim != 1:
        x = reshape(x, (-1,))
    return cumulative_sum(x, axis=axis, dtype=dtype)


def cumprod(x, axis=None, dtype=None) -> Array:
    x = _wrap(_native(x))
    if axis is None and x.ndim != 1:
        x = reshape(x, (-1,))
    return cumulative_prod(x, axis=axis, dtype=dtype)
