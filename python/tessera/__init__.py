"""tessera: parallel NumPy-style arrays and futures on a native task runtime.

    import tessera as ts
    x = ts.random.uniform(size=(20000, 20000), chunks=2000)
    y = x.T - x.mean(axis=0)
    y.sum().compute()

`ts` is a namespace of the Python array API standard (2023.12) plus the names Dask users
reach for (from_array, map_blocks, compute, persist, Client, delayed).
"""
from __future__ import annotations

from . import _tessera
from ._array import Array
from ._client import CancelledError, Client, Future, KilledWorker, default_client
from ._creation import (arange, asarray, empty, empty_like, eye, from_array, from_dlpack, full, full_like,
                        linspace, meshgrid, ones, ones_like, tril, triu, zeros, zeros_like)
from ._data_types import (astype, bfloat16, bool, can_cast, complex64, complex128, finfo, float16, float32, float64,
                          iinfo, int8, int16, int32, int64, isdtype, result_type, uint8, uint16, uint32, uint64)
from ._delayed import Delayed, compute, delayed
from ._elementwise import FUNCTIONS as _ELEMENTWISE
from ._elementwise import clip, where
from ._indexing import take
from ._manipulation import (broadcast_arrays, broadcast_shapes, broadcast_to, concat, expand_dims, flip,
                            matrix_transpose, permute_dims, squeeze, stack, transpose, unstack)
from ._statistics import all, any, argmax, argmin, max, mean, min, prod, std, sum, var
from ._custom import map_blocks, map_overlap
from ._reshaping import (cumprod, cumsum, cumulative_prod, cumulative_sum, moveaxis, repeat, reshape, roll,
                         tile)
from ._sorting import (argsort, argwhere, count_nonzero, nonzero, searchsorted, sort, unique_all, unique_counts,
                       unique_inverse, unique_values)
from . import diagnostics, linalg, random
from .diagnostics import progress
from .linalg import matmul, outer, tensordot, vecdot

globals().update(_ELEMENTWISE)
del _ELEMENTWISE

__version__ = "0.1.0"
__array_api_version__ = "2023.12"

import math as _math

e = _math.e
pi = _math.pi
inf = _math.inf
nan = _math.nan
newaxis = None
del _math

# NumPy's names for the array API's functions, for code written against NumPy.
concatenate = concat
power = globals()["pow"]
absolute = globals()["abs"]
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2  # noqa: F821 - defined by globals().update
arcsinh, arccosh, arctanh = asinh, acosh, atanh  # noqa: F821
conjugate = conj  # noqa: F821
true_divide = divide  # noqa: F821
mod = remainder  # noqa: F821
invert = bitwise_invert  # noqa: F821
dot = matmul


def visualize(*arrays, filename: str = "tessera-graph", format: str | None = None) -> str:  # noqa: A002
    """Draws the task graph of computing the arrays together (graphviz); returns the file."""
    from ._visualize import visualize as _draw
    return _draw(*arrays, filename=filename, format=format)


def persist(*arrays, client=None):
    """Arrays computed and kept on the workers."""
    out = tuple(a.persist(client=client) if isinstance(a, Array) else a for a in arrays)
    return out[0] if len(out) == 1 else out
