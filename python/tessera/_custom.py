"""Custom code over blocks: map_blocks, and map_overlap with a halo from the neighbours."""
from __future__ import annotations

import numpy as np

from . import _tessera
from ._array import Array, _native, _wrap


def _per_block(func, x, args, kwargs, dtype):
    """The array, the function of one block (func with the constant arguments bound) and the
    output dtype's name (default: x's), for map_blocks and map_overlap."""
    if not isinstance(x, Array):
        x = _wrap(_native(x))
    if any(isinstance(a, Array) for a in args) or any(isinstance(v, Array) for v in kwargs.values()):
        raise TypeError("map_blocks over several tessera arrays is not supported yet; "
                        "pass one array and constant arguments")

    def block_function(block):
        return func(block, *args, **kwargs)

    return x, block_function, (x.dtype if dtype is None else np.dtype(dtype)).name


def map_blocks(func, x, *args, dtype=None, **kwargs) -> Array:
    """func(block, *args, **kwargs) on every block (a NumPy array); the results, which must
    keep the block's shape, are assembled into the output. dtype: the output's (default:
    x's)."""
    x, block_function, out_dtype = _per_block(func, x, args, kwargs, dtype)
    return _wrap(_tessera.map_blocks(x._c, block_function, out_dtype))


_BOUNDARIES = {"none": "none", "constant": "constant", "reflect": "reflect", "periodic": "periodic",
               "symmetric": "reflect", "wrap": "periodic"}


def map_overlap(func, x, *args, depth=1, boundary="reflect", constant=0, trim=True, dtype=None, **kwargs) -> Array:
    """func on every block extended by `depth` elements of its neighbours (an int, or one per
    axis; dict {axis: depth} as in dask), only the halo slabs being exchanged; the array's
    edges are extended by `boundary`: 'reflect' (NumPy's 'symmetric'), 'periodic' ('wrap'),
    'constant' (with `constant`) or 'none'. With trim, the halo is cut from func's result."""
    x, block_function, out_dtype = _per_block(func, x, args, kwargs, dtype)
    if isinstance(depth, dict):
        depth = [int(depth.get(axis, 0)) for axis in range(x.ndim)]
    elif isinstance(depth, (tuple, list)):
        depth = [int(d) for d in depth]
    else:
        depth = [int(depth)]
    if isinstance(boundary, (int, float, complex)) and not isinstance(boundary, bool):
        boundary, constant = "constant", boundary  # dask spells a constant boundary by its value
    if boundary is None:
        boundary = "none"
    if boundary not in _BOUNDARIES:
        raise ValueError(f"boundary must be one of {sorted(_BOUNDARIES)} or a number, got {boundary!r}")
    return _wrap(_tessera.map_overlap(x._c, block_function, out_dtype, depth, _BOUNDARIES[boundary],
                                      constant, bool(trim)))
