"""Sorting, searching and set functions (array API), across chunks. The data-dependent
results (unique values, nonzero indices) have their sizes computed, not left unknown."""
from __future__ import annotations

import operator
from typing import NamedTuple

from . import _tessera
from ._array import Array, _native, _wrap
from ._client import default_native


def sort(x, /, *, axis=-1, descending=False, stable=True) -> Array:
    """Sorted along axis across chunks (always stable; NaNs last), keeping x's chunking."""
    return _wrap(_tessera.sort(_native(x), operator.index(axis), bool(descending)))


def argsort(x, /, *, axis=-1, descending=False, stable=True) -> Array:
    return _wrap(_tessera.argsort(_native(x), operator.index(axis), bool(descending)))


class UniqueAllResult(NamedTuple):
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    values: Array
    inverse_indices: Array


def unique_all(x, /) -> UniqueAllResult:
    return UniqueAllResult(*map(_wrap, _tessera.unique_all(default_native(), _native(x))))


def unique_counts(x, /) -> UniqueCountsResult:
    return UniqueCountsResult(*map(_wrap, _tessera.unique_counts(default_native(), _native(x))))


def unique_inverse(x, /) -> UniqueInverseResult:
    return UniqueInverseResult(*map(_wrap, _tessera.unique_inverse(default_native(), _native(x))))


def unique_values(x, /) -> Array:
    return _wrap(_tessera.unique_values(default_native(), _native(x)))


def nonzero(x, /) -> tuple[Array, ...]:
    return tuple(map(_wrap, _tessera.nonzero(default_native(), _native(x))))


def argwhere(x, /) -> Array:
    return _wrap(_tessera.argwhere(default_native(), _native(x)))


def searchsorted(x1, x2, /, *, side="left", sorter=None) -> Array:
    if sorter is not None:
        from ._indexing import take
        x1 = take(x1, sorter)
    return _wrap(_tessera.searchsorted(_native(x1), _native(x2), side))


def count_nonzero(x, /, *, axis=None, keepdims=False) -> Array:
    axes = [] if axis is None else ([operator.index(axis)] if not isinstance(axis, tuple) else list(axis))
    out = _wrap(_tessera.count_nonzero(_native(x), axes))
    if keepdims:
        from ._manipulation import expand_dims
        ndim = _native(x).ndim
        reduced = sorted(a % ndim for a in axes) if axes else list(range(ndim))
        out = expand_dims(out, axis=reduced)
    return out
