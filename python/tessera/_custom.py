"""Custom code over blocks: map_blocks (and map_overlap, with a halo from the neighbours)."""
from __future__ import annotations

import numpy as np

from . import _tessera
from ._array import Array, _native, _wrap


def map_blocks(func, x, *args, dtype=None, **kwargs) -> Array:
    """func(block, *args, **kwargs) on every block (a NumPy array); the results, which must
    keep the block's shape, are assembled into the output. dtype: the output's (default:
    x's)."""
    if not isinstance(x, Array):
        x = _wrap(_native(x))
    if any(isinstance(a, Array) for a in args) or any(isinstance(v, Array) for v in kwargs.values()):
        raise TypeError("map_blocks over several tessera arrays is not supported yet; "
                        "pass one array and constant arguments")
    out_dtype = x.dtype if dtype is None else np.dtype(dtype)

    def block_function(block):
        return func(block, *args, **kwargs)

    return _wrap(_tessera.map_blocks(x._c, block_function, out_dtype.name))
