"""tessera.Array: a NumPy-style array cut into chunks, evaluated lazily.

Every operation builds a node of the native expression graph; compute() lowers the graph
to tasks (elementwise chains, views and reductions fuse into one task per chunk) and runs
them on a client's workers. This class only spells NumPy's API; the work is native.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from . import _tessera

_PYTHON_SCALARS = (bool, int, float, complex)


_DLPACK_CPU = 1  # DLPack's kDLCPU


def _native(x: Any) -> "_tessera.Array":
    """The native array of an operand: tessera arrays as they are, Python scalars as weakly
    typed 0-d arrays, NumPy arrays and scalars (and anything with __array__) as sources."""
    if isinstance(x, Array):
        return x._c
    if type(x) in _PYTHON_SCALARS:
        return _tessera.scalar_array(x)
    if isinstance(x, np.generic):
        return _tessera.from_numpy(np.ascontiguousarray(np.asarray(x)), None, True)
    if isinstance(x, np.ndarray) or hasattr(x, "__array__"):
        from ._creation import asarray
        return asarray(x)._c
    raise TypeError(f"unsupported operand type for a tessera array: {type(x).__name__}")


def _wrap(native: "_tessera.Array") -> "Array":
    array = Array.__new__(Array)
    array._c = native
    return array


def _axes(axis: Any, ndim: int) -> list[int]:
    if axis is None:
        return []
    if isinstance(axis, (tuple, list)):
        return [operator.index(a) for a in axis]
    return [operator.index(axis)]


def _binary(op: str, reflected: bool = False):
    def method(self, other):
        try:
            other_native = _native(other)
        except TypeError:
            return NotImplemented
        operands = [other_native, self._c] if reflected else [self._c, other_native]
        return _wrap(_tessera.elementwise(op, operands))

    method.__name__ = f"__{'r' if reflected else ''}{op}__"
    return method


def _unary(op: str):
    def method(self):
        return _wrap(_tessera.elementwise(op, [self._c]))

    method.__name__ = f"__{op}__"
    return method


class Array:
    """A chunked, lazily evaluated N-dimensional array (see the module docstring)."""

    __slots__ = ("_c", "__weakref__")
    # NumPy defers binary operators to arrays with a higher priority (ndarray + Array).
    __array_priority__ = 20

    def __init__(self, native: "_tessera.Array"):
        if not isinstance(native, _tessera.Array):
            raise TypeError("tessera.Array is made by tessera's functions (ts.asarray, ts.zeros, ...)")
        self._c = native

    # ---- attributes ----
    @property
    def shape(self) -> tuple[int, ...]:
        return self._c.shape

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self._c.dtype)

    @property
    def chunks(self) -> tuple[tuple[int, ...], ...]:
        return self._c.chunks

    @property
    def chunksize(self) -> tuple[int, ...]:
        return tuple(max(c) if c else 0 for c in self.chunks)

    @property
    def numblocks(self) -> tuple[int, ...]:
        return self._c.numblocks

    @property
    def npartitions(self) -> int:
        return int(np.prod(self.numblocks, dtype=np.int64))

    @property
    def ndim(self) -> int:
        return self._c.ndim

    @property
    def size(self) -> int:
        return self._c.size

    @property
    def nbytes(self) -> int:
        return self._c.nbytes

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def device(self) -> str:
        """Where the default client's cluster (started if need be) computes arrays:
        "cuda:N" on a cluster with GPUs, else "cpu"."""
        from ._creation import _computing_device
        return _computing_device()

    def to_device(self, device, /, *, stream=None) -> "Array":
        """The array API's to_device: tessera places chunks itself, so this only checks that
        `device` is one it computes on (see Array.device)."""
        from ._creation import _check_device
        _check_device(device)
        return self

    @property
    def T(self) -> "Array":
        return _wrap(self._c.transpose([]))

    @property
    def mT(self) -> "Array":
        return _wrap(_tessera.matrix_transpose(self._c))

    @property
    def real(self) -> "Array":
        return _wrap(_tessera.elementwise("real", [self._c]))

    @property
    def imag(self) -> "Array":
        return _wrap(_tessera.elementwise("imag", [self._c]))

    def __repr__(self) -> str:
        return (f"tessera.Array<shape={self.shape}, dtype={self.dtype}, "
                f"chunksize={self.chunksize}, numblocks={self.numblocks}>")

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.shape[0]):
            yield self[i]

    def __hash__(self) -> int:
        return id(self)

    # ---- evaluation ----
    def compute(self, client=None) -> np.ndarray:
        """Runs the graph; the whole array as a NumPy array."""
        from ._client import default_client
        return self._c.compute((client or default_client())._native)

    def persist(self, client=None) -> "Array":
        """Runs the graph and keeps the chunks on the workers; the returned array reads them."""
        from ._client import default_client
        return _wrap(self._c.persist((client or default_client())._native))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        result = self.compute()
        if dtype is not None and np.dtype(dtype) != result.dtype:
            return result.astype(dtype)
        return result

    def __array_namespace__(self, api_version: str | None = None):
        if api_version not in (None, "2021.12", "2022.12", "2023.12"):
            raise ValueError(f"tessera implements array API 2023.12, not {api_version!r}")
        import tessera
        return tessera

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Hands the computed array to a DLPack consumer (np/cupy/torch.from_dlpack) in place:
        in GPU memory where the cluster has GPUs, else host memory (or on dl_device). A
        chunk stored by a worker (a persisted array's) is copied unless copy=False."""
        from ._client import default_client
        client = default_client()._native
        device_type, device_id = dl_device if dl_device is not None else _tessera.dlpack_device(client)
        if device_type == _DLPACK_CPU and stream is not None:
            raise BufferError(f"an export to host memory takes no stream, got stream={stream!r}")
        # Any stream of the consumer may read the result at once: tessera's workers wait
        # for their own streams before a result counts as computed.
        return _tessera.to_dlpack(self._c, client, int(device_type), int(device_id), copy)

    def __dlpack_device__(self) -> tuple[int, int]:
        from ._client import default_client
        return tuple(_tessera.dlpack_device(default_client()._native))

    def _scalar(self, kind):
        if self.size != 1:
            raise TypeError(f"only arrays of size 1 convert to Python scalars, not shape {self.shape}")
        return kind(self.compute().reshape(()).item())

    def __bool__(self) -> bool:
        return self._scalar(bool)

    def __int__(self) -> int:
        return self._scalar(int)

    def __float__(self) -> float:
        return self._scalar(float)

    def __complex__(self) -> complex:
        return self._scalar(complex)

    def __index__(self) -> int:
        if self.dtype.kind not in "iub":
            raise TypeError(f"only integer arrays can be used as an index, not {self.dtype}")
        return self._scalar(int)

    def item(self):
        return self.compute().item()

    def tolist(self):
        return self.compute().tolist()

    # ---- conversions and chunking ----
    def astype(self, dtype, copy: bool = True) -> "Array":
        return _wrap(self._c.astype(dtype))

    def rechunk(self, chunks="auto") -> "Array":
        if isinstance(chunks, (tuple, list)) and len(chunks) == self.ndim:
            # dask's rechunk: None keeps an axis' chunks (elsewhere None means the whole axis).
            chunks = tuple(self.chunks[i] if c is None else c for i, c in enumerate(chunks))
        return _wrap(self._c.rechunk(chunks))

    def reshape(self, *shape, **kwargs) -> "Array":
        from ._reshaping import reshape
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return reshape(self, shape, **kwargs)

    def ravel(self) -> "Array":
        return self.reshape(-1)

    def flatten(self) -> "Array":
        return self.reshape(-1)

    def cumsum(self, axis=None, dtype=None) -> "Array":
        from ._reshaping import cumsum
        return cumsum(self, axis=axis, dtype=dtype)

    def cumprod(self, axis=None, dtype=None) -> "Array":
        from ._reshaping import cumprod
        return cumprod(self, axis=axis, dtype=dtype)

    def transpose(self, *axes) -> "Array":
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _wrap(self._c.transpose([operator.index(a) for a in axes]))

    # ---- indexing ----
    def __getitem__(self, key) -> "Array":
        from ._indexing import getitem
        return getitem(self, key)

    def __setitem__(self, key, value) -> None:
        from ._indexing import setitem
        self._c = setitem(self, key, value)._c

    # ---- reductions ----
    def _reduce(self, op, axis, keepdims, split_every, correction=0.0):
        if axis == ():
            from ._statistics import reduce_no_axes
            return reduce_no_axes(self, op, correction)
        return _wrap(self._c.reduce(op, _axes(axis, self.ndim), keepdims, split_every or 0, correction))

    def sum(self, axis=None, dtype=None, keepdims=False, split_every=None):
        x = self if dtype is None else self.astype(dtype)
        return x._reduce("sum", axis, keepdims, split_every)

    def prod(self, axis=None, dtype=None, keepdims=False, split_every=None):
        x = self if dtype is None else self.astype(dtype)
        return x._reduce("prod", axis, keepdims, split_every)

    def mean(self, axis=None, dtype=None, keepdims=False, split_every=None):
        x = self if dtype is None else self.astype(dtype)
        return x._reduce("mean", axis, keepdims, split_every)

    def var(self, axis=None, dtype=None, ddof=0, keepdims=False, split_every=None, correction=None):
        x = self if dtype is None else self.astype(dtype)
        return x._reduce("var", axis, keepdims, split_every, float(ddof if correction is None else correction))

    def std(self, axis=None, dtype=None, ddof=0, keepdims=False, split_every=None, correction=None):
        x = self if dtype is None else self.astype(dtype)
        return x._reduce("std", axis, keepdims, split_every, float(ddof if correction is None else correction))

    def min(self, axis=None, keepdims=False, split_every=None):
        return self._reduce("min", axis, keepdims, split_every)

    def max(self, axis=None, keepdims=False, split_every=None):
        return self._reduce("max", axis, keepdims, split_every)

    def any(self, axis=None, keepdims=False, split_every=None):
        return self._reduce("any", axis, keepdims, split_every)

    def all(self, axis=None, keepdims=False, split_every=None):
        return self._reduce("all", axis, keepdims, split_every)

    def argmin(self, axis=None, keepdims=False, split_every=None):
        return _wrap(self._c.argreduce("argmin", None if axis is None else operator.index(axis), keepdims,
                                       split_every or 0))

    def argmax(self, axis=None, keepdims=False, split_every=None):
        return _wrap(self._c.argreduce("argmax", None if axis is None else operator.index(axis), keepdims,
                                       split_every or 0))

    # ---- operators ----
    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("subtract"), _binary("subtract", True)
    __mul__, __rmul__ = _binary("multiply"), _binary("multiply", True)
    __truediv__, __rtruediv__ = _binary("divide"), _binary("divide", True)
    __floordiv__, __rfloordiv__ = _binary("floor_divide"), _binary("floor_divide", True)
    __mod__, __rmod__ = _binary("remainder"), _binary("remainder", True)
    __pow__, __rpow__ = _binary("pow"), _binary("pow", True)
    __and__, __rand__ = _binary("bitwise_and"), _binary("bitwise_and", True)
    __or__, __ror__ = _binary("bitwise_or"), _binary("bitwise_or", True)
    __xor__, __rxor__ = _binary("bitwise_xor"), _binary("bitwise_xor", True)
    __lshift__, __rlshift__ = _binary("bitwise_left_shift"), _binary("bitwise_left_shift", True)
    __rshift__, __rrshift__ = _binary("bitwise_right_shift"), _binary("bitwise_right_shift", True)
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    __eq__, __ne__ = _binary("equal"), _binary("not_equal")  # type: ignore[assignment]
    __neg__, __pos__, __abs__ = _unary("negative"), _unary("positive"), _unary("abs")
    __invert__ = _unary("bitwise_invert")

    def __matmul__(self, other):
        try:
            return _wrap(_tessera.matmul(self._c, _native(other)))
        except TypeError:
            return NotImplemented

    def __rmatmul__(self, other):
        try:
            return _wrap(_tessera.matmul(_native(other), self._c))
        except TypeError:
            return NotImplemented

    # In-place operators rebind this handle to a new lazy array (arrays are immutable).
    def _inplace(op):
        binary = _binary(op)

        def method(self, other):
            result = binary(self, other)
            if result is NotImplemented:
                return result
            if result.dtype != self.dtype:
                raise TypeError(f"in-place {op} would change the dtype from {self.dtype} to {result.dtype}")
            self._c = result._c
            return self

        return method

    __iadd__, __isub__, __imul__ = _inplace("add"), _inplace("subtract"), _inplace("multiply")
    __itruediv__, __ifloordiv__, __imod__ = _inplace("divide"), _inplace("floor_divide"), _inplace("remainder")
    __ipow__, __iand__, __ior__, __ixor__ = _inplace("pow"), _inplace("bitwise_and"), _inplace("bitwise_or"), \
        _inplace("bitwise_xor")
    del _inplace

    # ---- NumPy interoperability ----
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from ._numpy_interop import array_ufunc
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from ._numpy_interop import array_function
        return array_function(func, types, args, kwargs)

    # ---- graph ----
    def visualize(self, filename: str = "tessera-graph", format: str | None = None) -> str:  # noqa: A002
        """Draws the task graph compute() would run (graphviz); returns the file written."""
        from ._visualize import visualize
        return visualize(self, filename=filename, format=format)
