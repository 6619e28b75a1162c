"""DLPack: tessera arrays handed to NumPy (and, on a GPU, CuPy) in place, and taken from them.

The host cases run everywhere; the CuPy cases need a GPU worker and CuPy, and skip saying
which is missing. They exercise one code path: the device is only a field of the tensor."""
from __future__ import annotations

import ctypes

import numpy as np
import pytest

import tessera as ts
from conftest import DTYPES, assert_array_matches, sample

DLPACK_CPU, DLPACK_CUDA = 1, 2


class Producer:
    """A DLPack producer that is not a NumPy array, so that ts.from_dlpack reads the capsule
    itself (it shares NumPy arrays through their buffer)."""

    def __init__(self, array):
        self.array = array

    def __dlpack__(self, **kwargs):
        return self.array.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


@pytest.fixture
def cpu_client():
    """A default client with CPU workers only, on any machine."""
    client = ts.Client(gpus=0)
    yield client
    client.close()


@pytest.mark.parametrize("dtype", DTYPES + ["int16", "uint32", "complex64"])
@pytest.mark.parametrize("shape, chunks", [((6, 5), 2), ((7,), 7), ((), ()), ((0, 3), 2), ((2, 3, 4), (1, 3, 2))])
def test_numpy_reads_tessera_arrays(cpu_client, rng, dtype, shape, chunks):
    host = sample(rng, shape, dtype)
    x = ts.asarray(host, chunks=chunks) + ts.zeros((), dtype=dtype)  # computed, not the source itself
    assert x.__dlpack_device__() == (DLPACK_CPU, 0)
    out = np.from_dlpack(x)
    assert out.dtype == host.dtype and out.shape == host.shape
    np.testing.assert_array_equal(out, host)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tessera_reads_dlpack_capsules(rng, dtype):
    host = sample(rng, (5, 4), dtype)
    assert_array_matches(ts.from_dlpack(Producer(host), chunks=2), host)
    assert_array_matches(ts.from_dlpack(host), host)  # a NumPy array is shared by its buffer


def test_tessera_arrays_round_trip(rng):
    host = sample(rng, (9, 4), "float32")
    x = ts.asarray(host, chunks=(4, 3)) * 2
    assert_array_matches(ts.from_dlpack(x), host * 2)


def test_imports_share_the_producers_memory_unless_copied():
    source = np.arange(12.0).reshape(3, 4)
    shared = ts.from_dlpack(Producer(source))
    copied = ts.from_dlpack(Producer(source), copy=True)
    source[0, 0] = 100.0  # as with asarray: later writes show through a shared import
    assert shared.compute()[0, 0] == 100.0
    assert copied.compute()[0, 0] == 0.0


def test_an_import_keeps_the_producers_memory_alive(rng):
    host = sample(rng, (64, 8), "float64")
    expected = host.copy()
    x = ts.from_dlpack(Producer(host), chunks=16)
    del host
    import gc
    gc.collect()
    assert_array_matches(x.sum(axis=0), expected.sum(axis=0))


def test_strided_host_tensors_are_copied_into_c_order(rng):
    host = sample(rng, (6, 8), "int32")
    for view in (host.T, host[::2, 1::3], host[:, ::-1]):
        assert_array_matches(ts.from_dlpack(Producer(view)), view)
        with pytest.raises(BufferError, match="C-contiguous"):
            ts.from_dlpack(Producer(view), copy=False)


def test_unaligned_and_empty_tensors():
    raw = bytearray(8 * 5 + 1)
    unaligned = np.frombuffer(raw, dtype=np.float64, count=5, offset=1)
    unaligned[:] = np.arange(5.0)
    assert not unaligned.flags.aligned
    x = ts.from_dlpack(Producer(unaligned))  # copied to memory kernels can read
    assert_array_matches(x + 1, np.arange(5.0) + 1)
    with pytest.raises(BufferError, match="aligned"):
        ts.from_dlpack(Producer(unaligned), copy=False)
    empty = np.zeros((0, 6))[:, ::2]  # strided, but no element: taken as is
    assert_array_matches(ts.from_dlpack(Producer(empty), copy=False), empty)


def test_stored_chunks_are_copied_unless_copy_false(cpu_client):
    # DLPack's unversioned capsule cannot say "read only", and CuPy and PyTorch write to
    # what they import: a chunk a worker keeps is handed out as a copy.
    stored = ts.arange(8.0, chunks=8).persist()
    kept = np.from_dlpack(stored, copy=False)  # the worker's chunk itself
    assert np.shares_memory(np.from_dlpack(stored, copy=False), kept)
    assert not np.shares_memory(np.from_dlpack(stored), kept)
    np.testing.assert_array_equal(np.from_dlpack(stored), np.arange(8.0))
    with pytest.raises(BufferError, match="blocks"):
        ts.arange(8.0, chunks=4).__dlpack__(copy=False)


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLManagedTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32),
                ("ndim", ctypes.c_int32), ("dtype", DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.c_void_p), ("byte_offset", ctypes.c_uint64), ("manager_ctx", ctypes.c_void_p),
                ("deleter", ctypes.c_void_p)]


class ForgedProducer:
    """A host tensor of a DLPack type that no NumPy array exports, in a capsule made by
    hand (DLPack's C layout through ctypes); the test keeps its memory alive."""

    def __init__(self, code, bits):
        self.values = np.zeros(3, dtype=np.uint8)
        self.shape = (ctypes.c_int64 * 1)(3)
        self.tensor = DLManagedTensor(data=self.values.ctypes.data, device_type=1, device_id=0, ndim=1,
                                      dtype=DLDataType(code, bits, 1), shape=self.shape)

    def __dlpack__(self, **kwargs):
        new_capsule = ctypes.pythonapi.PyCapsule_New
        new_capsule.restype, new_capsule.argtypes = ctypes.py_object, [ctypes.c_void_p, ctypes.c_char_p,
                                                                       ctypes.c_void_p]
        return new_capsule(ctypes.addressof(self.tensor), b"dltensor", None)

    def __dlpack_device__(self):
        return (1, 0)


def test_bad_requests_say_what_is_wrong(cpu_client):
    x = ts.ones((3, 3), chunks=2)
    with pytest.raises(BufferError, match="stream"):
        x.__dlpack__(stream=1)
    with pytest.raises(BufferError, match="no worker on cuda:0"):
        x.__dlpack__(dl_device=(DLPACK_CUDA, 0))
    with pytest.raises(BufferError, match="device type 7"):
        x.__dlpack__(dl_device=(7, 0))
    with pytest.raises(TypeError, match="__dlpack__"):
        ts.from_dlpack(42)
    with pytest.raises(BufferError, match="type code 2 with 8 bits"):
        ts.from_dlpack(ForgedProducer(code=2, bits=8))  # an 8-bit float (float8 is no dtype here)
    with pytest.raises(TypeError, match="dltensor"):
        ts._tessera.from_dlpack(object(), "auto", cpu_client._native, None)


def test_an_unused_capsule_gives_its_tensor_back(cpu_client):
    x = ts.arange(5, chunks=5) * 3
    capsule = x.__dlpack__()
    del capsule  # never consumed: its destructor releases the exported chunk
    assert_array_matches(x, np.arange(5) * 3)


class DeviceProducer(Producer):
    """Says its memory is a GPU's (it is the host's, as its capsule says): asarray must
    take it through DLPack, since NumPy cannot read device memory."""

    def __dlpack_device__(self):
        return (DLPACK_CUDA, 0)


def test_asarray_reads_device_producers_through_dlpack(rng):
    host = sample(rng, (6, 4), "int32")
    assert_array_matches(ts.asarray(DeviceProducer(host), chunks=3), host)
    assert_array_matches(ts.asarray(DeviceProducer(host), dtype="float64"), host.astype("float64"))
    with pytest.raises(ValueError, match="copy=False"):
        ts.asarray(DeviceProducer(host), dtype="float64", copy=False)


# ---- on a GPU, with CuPy ----

def _cupy_on_a_gpu_worker():
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed")
    if ts.ones(1).__dlpack_device__()[0] != DLPACK_CUDA:
        pytest.skip("the default cluster has no GPU worker (no GPU, or tessera built without CUDA)")
    return cupy


def test_cupy_reads_tessera_arrays_on_the_gpu(rng):
    cupy = _cupy_on_a_gpu_worker()
    host = sample(rng, (300, 200), "float32")
    x = ts.asarray(host, chunks=(128, 64)) * 2 + 1
    out = cupy.from_dlpack(x)
    assert isinstance(out, cupy.ndarray)
    np.testing.assert_allclose(cupy.asnumpy(out), host * 2 + 1, rtol=1e-6)


def test_tessera_reads_cupy_arrays_in_place(rng):
    cupy = _cupy_on_a_gpu_worker()
    host = sample(rng, (256, 128), "float64")
    device = cupy.asarray(host)
    x = ts.from_dlpack(device, chunks=(64, 128))
    assert_array_matches(x.sum(axis=0), host.sum(axis=0))
    assert_array_matches(ts.asarray(device) * 2, host * 2)
    device[0, 0] = 1000.0  # shared, not copied
    cupy.cuda.Device().synchronize()  # a write on CuPy's stream: tessera's streams do not wait for it
    assert x[0, 0].compute() == 1000.0
    with pytest.raises(BufferError, match="C-contiguous"):
        ts.from_dlpack(device.T)
