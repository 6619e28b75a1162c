"""Array creation: from host data, constants, ranges, identity matrices."""
from __future__ import annotations

import operator

import numpy as np

from . import _tessera
from ._array import Array, _wrap
from ._data_types import bfloat16

_FLOAT = np.dtype("float64")


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (tuple, list)):
        return tuple(operator.index(s) for s in shape)
    return (operator.index(shape),)


def _dtype_name(dtype, default=_FLOAT) -> str:
    return np.dtype(default if dtype is None else dtype).name


def asarray(obj, dtype=None, device=None, copy: bool | None = None, chunks="auto") -> Array:
    """A tessera array of obj: a tessera array (cast if asked), or host data — NumPy arrays
    (shared without a copy when C-contiguous, aligned and not copy=True; as in dask, later
    writes to them show through), scalars, nested sequences, anything with __array__ or
    the buffer protocol; GPU arrays (CuPy, PyTorch) are read in place with DLPack."""
    _check_device(device)
    if isinstance(obj, Array):
        if dtype is not None and np.dtype(dtype) != obj.dtype:
            if copy is False:
                raise ValueError(f"asarray(copy=False) cannot cast {obj.dtype} to {np.dtype(dtype)} without a copy")
            return obj.astype(dtype)
        return obj
    if _on_a_device(obj):
        # GPU memory (CuPy, PyTorch): read in place through DLPack, never through the host.
        x = from_dlpack(obj, copy=copy, chunks=chunks)
        if dtype is None or np.dtype(dtype) == x.dtype:
            return x
        if copy is False:
            raise ValueError(f"asarray(copy=False) cannot cast {x.dtype} to {np.dtype(dtype)} without a copy")
        return x.astype(dtype)
    if dtype is not None and np.dtype(dtype) == bfloat16 and copy is not False:
        source = np.asarray(obj)
        if source.dtype != bfloat16:
            # ml_dtypes rounds float64 to bfloat16 through float32 (twice); tessera's cast,
            # once. A copy: the cast is lazy, and a conversion must not see later writes.
            return asarray(source, chunks=chunks, copy=True).astype(bfloat16)
    if type(obj) in (bool, int, float, complex) and dtype is None:
        # A Python scalar: NumPy's default dtypes (not the weak typing of an operand).
        obj = np.asarray(obj, dtype=_default_scalar_dtype(obj))
    # copy=False: never copy (the array API's rule); NumPy raises where its conversion would.
    host = np.asarray(obj, dtype=dtype, copy=False if copy is False else None)
    if copy is False and not (host.flags.c_contiguous and host.flags.aligned and host.dtype.isnative):
        raise ValueError("asarray(copy=False) can share only aligned, C-contiguous, native-byte-order data; "
                         f"got strides {host.strides} for shape {host.shape} and dtype {host.dtype.str}")
    if host.dtype.byteorder == ">" or not host.dtype.isnative:
        host = host.astype(host.dtype.newbyteorder("="))
    share = copy is not True and host.flags.c_contiguous and host.flags.aligned
    if not share:
        host = np.ascontiguousarray(host)
    return _wrap(_tessera.from_numpy(host, chunks, not share))


def _on_a_device(obj) -> bool:
    """Whether obj is a DLPack producer whose memory is not the host's."""
    if isinstance(obj, np.ndarray) or not hasattr(obj, "__dlpack_device__"):
        return False
    try:
        device_type, _ = obj.__dlpack_device__()
    except Exception:  # a producer that cannot say is read as host data
        return False
    return int(device_type) not in (1, 3)  # kDLCPU, kDLCUDAHost


def _default_scalar_dtype(value) -> np.dtype:
    if isinstance(value, (np.generic, np.ndarray)):  # NumPy values carry their dtype (np.full's rule)
        return value.dtype
    if isinstance(value, bool):
        return np.dtype(bool)
    if isinstance(value, int):
        return np.dtype("int64")
    if isinstance(value, float):
        return _FLOAT
    return np.dtype("complex128")


def from_array(x, chunks="auto", **kwargs) -> Array:
    """dask.array.from_array: a chunked array over anything with __array__ or a buffer."""
    return asarray(x, chunks=chunks, **kwargs)


def from_dlpack(x, /, *, device=None, copy=None, chunks="auto") -> Array:
    """An array over x's memory (host, or a GPU of the cluster: CuPy, PyTorch), read in
    place unless copy=True; strided host data is copied into C order."""
    _check_device(device)
    if isinstance(x, np.ndarray):
        # NumPy will not export read-only arrays with DLPack's unversioned capsule; its
        # buffer is shared all the same.
        return asarray(x, copy=copy, chunks=chunks)
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack needs an object with __dlpack__, got {type(x).__name__}")
    from ._client import default_client
    if copy is None:
        capsule = x.__dlpack__()
    else:
        try:
            capsule = x.__dlpack__(copy=copy)
            if copy:
                copy = None  # the producer made the copy
        except TypeError:  # a producer older than the protocol's copy argument
            capsule = x.__dlpack__()
    return _wrap(_tessera.from_dlpack(capsule, chunks, default_client()._native, copy))


def _computing_device() -> str:
    """Where the default client's cluster computes arrays: "cuda:N" for its first GPU, else
    "cpu" (what Array.device reports)."""
    from ._client import default_client
    device_type, ordinal = _tessera.dlpack_device(default_client()._native)
    return "cpu" if device_type == 1 else f"cuda:{ordinal}"


def _check_device(device) -> None:
    """tessera places chunks itself: a device argument may name the host or the device the
    cluster computes on (so that xp.zeros(..., device=x.device) works), nothing else."""
    if device is None or device == "cpu" or device == _computing_device():
        return
    raise ValueError(f"unsupported device {device!r}: tessera places chunks itself, and takes 'cpu' or "
                     f"the device its cluster computes on ({_computing_device()!r})")


def full(shape, fill_value, *, dtype=None, device=None, chunks="auto") -> Array:
    _check_device(device)
    if dtype is None:
        dtype = _default_scalar_dtype(fill_value)
    if isinstance(fill_value, np.generic):
        fill_value = fill_value.item()
    dtype = np.dtype(dtype)
    if type(fill_value) is int and fill_value >= 2**63 and dtype == np.uint64:
        # Beyond the native scalar's int64: broadcast a 0-d uint64 instead.
        from ._manipulation import broadcast_to
        return broadcast_to(asarray(np.asarray(fill_value, dtype=dtype)), _shape(shape)).rechunk(chunks)
    return _wrap(_tessera.full(_shape(shape), fill_value, dtype.name, chunks))


def zeros(shape, *, dtype=None, device=None, chunks="auto") -> Array:
    return full(shape, 0, dtype=dtype or _FLOAT, device=device, chunks=chunks)


def ones(shape, *, dtype=None, device=None, chunks="auto") -> Array:
    return full(shape, 1, dtype=dtype or _FLOAT, device=device, chunks=chunks)


def empty(shape, *, dtype=None, device=None, chunks="auto") -> Array:
    """As zeros: an uninitialized lazy array would cost the same."""
    return zeros(shape, dtype=dtype, device=device, chunks=chunks)


def _like(x: Array, dtype, chunks):
    return (x.dtype if dtype is None else dtype), (x.chunks if chunks is None else chunks)


def zeros_like(x, /, *, dtype=None, device=None, chunks=None) -> Array:
    x = asarray(x)
    dtype, chunks = _like(x, dtype, chunks)
    return zeros(x.shape, dtype=dtype, device=device, chunks=chunks)


def ones_like(x, /, *, dtype=None, device=None, chunks=None) -> Array:
    x = asarray(x)
    dtype, chunks = _like(x, dtype, chunks)
    return ones(x.shape, dtype=dtype, device=device, chunks=chunks)


def empty_like(x, /, *, dtype=None, device=None, chunks=None) -> Array:
    return zeros_like(x, dtype=dtype, device=device, chunks=chunks)


def full_like(x, /, fill_value, *, dtype=None, device=None, chunks=None) -> Array:
    x = asarray(x)
    dtype, chunks = _like(x, dtype, chunks)
    return full(x.shape, fill_value, dtype=dtype, device=device, chunks=chunks)


def arange(start, /, stop=None, step=1, *, dtype=None, device=None, chunks="auto") -> Array:
    _check_device(device)
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
        dtype = np.dtype("int64") if integral else _FLOAT
    if max(abs(start), abs(stop)) > 2**53:
        # The native generator counts in float64; past 2**53 it could not tell integers apart.
        raise ValueError(f"arange bounds beyond 2**53 ({start}, {stop}) are not supported")
    return _wrap(_tessera.arange(float(start), float(stop), float(step), _dtype_name(dtype), chunks))


def linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True, chunks="auto") -> Array:
    _check_device(device)
    if isinstance(start, complex) or isinstance(stop, complex):
        raise TypeError("tessera's linspace takes real bounds")
    return _wrap(_tessera.linspace(float(start), float(stop), operator.index(num), bool(endpoint),
                                   _dtype_name(dtype), chunks))


def eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None, chunks="auto") -> Array:
    _check_device(device)
    n_cols = n_rows if n_cols is None else n_cols
    return _wrap(_tessera.eye(operator.index(n_rows), operator.index(n_cols), operator.index(k),
                              _dtype_name(dtype), chunks))


def _triangle(x, k, lower: bool) -> Array:
    from ._elementwise import where
    from ._manipulation import expand_dims
    x = asarray(x)
    if x.ndim < 2:
        raise ValueError(f"{'tril' if lower else 'triu'} needs an array of at least 2 dimensions, got shape {x.shape}")
    rows = expand_dims(arange(x.shape[-2], chunks=(x.chunks[-2],)), axis=-1)
    cols = arange(x.shape[-1], chunks=(x.chunks[-1],))
    keep = (cols - rows <= k) if lower else (cols - rows >= k)
    return where(keep, x, zeros((), dtype=x.dtype))


def tril(x, /, *, k=0) -> Array:
    return _triangle(x, k, lower=True)


def triu(x, /, *, k=0) -> Array:
    return _triangle(x, k, lower=False)


def meshgrid(*arrays, indexing="xy") -> list[Array]:
    from ._manipulation import broadcast_to, reshape_to_axis
    if indexing not in ("xy", "ij"):
        raise ValueError(f"indexing must be 'xy' or 'ij', got {indexing!r}")
    arrays = [asarray(a) for a in arrays]
    for a in arrays:
        if a.ndim != 1:
            raise ValueError(f"meshgrid takes 1-d arrays, got shape {a.shape}")
    n = len(arrays)
    shape = [a.shape[0] for a in arrays]
    order = list(range(n))
    if indexing == "xy" and n >= 2:
        shape[0], shape[1] = shape[1], shape[0]
        order[0], order[1] = 1, 0
    return [broadcast_to(reshape_to_axis(a, order[i], n), tuple(shape)) for i, a in enumerate(arrays)]
