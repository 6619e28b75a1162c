// DLPack: tessera arrays handed to other libraries (NumPy, CuPy, PyTorch) and taken from
// them in place, in host or GPU memory alike. The exchange is DLPack's "dltensor" capsule
// holding a DLManagedTensor (dlpack.h from libdlpack-dev), which every consumer reads;
// the versioned capsule of DLPack 1.0 adds a read-only flag that tessera would need only
// to hand out stored chunks uncopied, and it copies those instead (see to_dlpack).
#include <dlpack/dlpack.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "conversions.hpp"
#include "py_object.hpp"
#include "tessera/array/array.hpp"
#include "tessera/core/cuda_device.hpp"
#include "tessera/core/logging.hpp"

namespace tessera::python {

namespace {

constexpr const char* kCapsuleName = "dltensor";
constexpr const char* kUsedCapsuleName = "used_dltensor";  // renamed by the consumer that took it
// DLPack 0.8's kDLBool: NumPy 2, CuPy and PyTorch export bools with it, and Debian's
// dlpack.h (0.6) predates it.
constexpr std::uint8_t kDLBoolCode = 6;

DLDataType dl_dtype_of(DType dtype) {
  const auto bits = static_cast<std::uint8_t>(itemsize(dtype) * 8);
  if (dtype == DType::bfloat16) return {kDLBfloat, bits, 1};
  switch (kind(dtype)) {
    case DTypeKind::boolean: return {kDLBoolCode, bits, 1};
    case DTypeKind::unsigned_integer: return {kDLUInt, bits, 1};
    case DTypeKind::signed_integer: return {kDLInt, bits, 1};
    case DTypeKind::real_floating: return {kDLFloat, bits, 1};
    case DTypeKind::complex_floating: return {kDLComplex, bits, 1};
  }
  throw ValueError("no DLPack type for dtype " + to_string(dtype));
}

DType dtype_of_dl(DLDataType type) {
  if (type.lanes == 1) {
    for (std::size_t i = 0; i < kDTypeCount; ++i) {
      const auto dtype = static_cast<DType>(i);
      const DLDataType candidate = dl_dtype_of(dtype);
      if (candidate.code == type.code && candidate.bits == type.bits) return dtype;
    }
  }
  throw py::buffer_error("tessera has no dtype for DLPack type code " + std::to_string(type.code) + " with " +
                         std::to_string(type.bits) + " bits and " + std::to_string(type.lanes) +
                         " lanes (it has " + std::string(kDTypeList) + ")");
}

// The device of this client's cluster that DLPack names (kind, ordinal), or null.
std::shared_ptr<Device> cluster_device(const Client& client, DeviceKind kind, int ordinal) {
  if (kind == DeviceKind::cpu) return host_device();
  const LocalCluster& cluster = client.cluster();
  for (std::size_t w = 0; w < cluster.n_workers(); ++w) {
    std::shared_ptr<Device> device = cluster.device_of_worker(w);
    if (device->kind() == kind && device->ordinal() == ordinal) return device;
  }
  return nullptr;
}

std::shared_ptr<Device> device_named(const Client& client, int device_type, int ordinal) {
  if (device_type == kDLCPU) return host_device();
  if (device_type != kDLCUDA) {
    throw py::buffer_error("tessera exports to host (DLPack device type 1) or CUDA (2) memory, not device type " +
                           std::to_string(device_type));
  }
  std::shared_ptr<Device> device = cluster_device(client, DeviceKind::cuda, ordinal);
  if (!device) throw py::buffer_error("the cluster has no worker on cuda:" + std::to_string(ordinal));
  return device;
}

// ---- export ----

struct Exported {
  DLManagedTensor managed{};
  Chunk chunk;
  Shape shape;  // what managed.dl_tensor.shape points at
};

void release_exported(DLManagedTensor* self) noexcept {
  auto* exported = static_cast<Exported*>(self->manager_ctx);
  // The consumer's arrays do not wait for their streams when they die: reads of this
  // memory may still be queued there, and must end before the memory goes back to the
  // pool that hands it to tessera's next task.
  if (Device* device = exported->chunk.buffer.location()) {
    // Consumers call this from their arrays' deallocators, holding the GIL: other Python
    // threads run while the GPU finishes (not once the interpreter shuts down, when the
    // GIL must not change hands).
    const auto wait = [device] {
      try {
        device->synchronize_all();
      } catch (const std::exception& e) {
        TESSERA_LOG(warning) << "releasing memory exported with DLPack: " << e.what();
      }
    };
    if (interpreter_alive()) {
      const GilReleasedIfHeld unlocked;
      wait();
    } else {
      wait();
    }
  }
  delete exported;
}

void destroy_capsule(PyObject* capsule) noexcept {
  if (PyCapsule_IsValid(capsule, kUsedCapsuleName) != 0) return;  // the consumer owns the tensor now
  // A capsule may die while an exception is being raised: it is kept for its raiser.
  PyObject *type = nullptr, *value = nullptr, *traceback = nullptr;
  PyErr_Fetch(&type, &value, &traceback);
  auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule, kCapsuleName));
  if (managed == nullptr) {
    PyErr_WriteUnraisable(capsule);
  } else if (managed->deleter != nullptr) {
    managed->deleter(managed);
  }
  PyErr_Restore(type, value, traceback);
}

/// Where the client's cluster leaves array results: its first GPU worker's device (array
/// tasks run on GPU workers where there are any), else the host.
DLDevice computing_device(const Client& client) {
  const LocalCluster& cluster = client.cluster();
  for (std::size_t w = 0; w < cluster.n_workers(); ++w) {
    const std::shared_ptr<Device> device = cluster.device_of_worker(w);
    if (device->kind() == DeviceKind::cuda) return DLDevice{kDLCUDA, device->ordinal()};
  }
  return DLDevice{kDLCPU, 0};
}

std::string device_text(DLDevice device) {
  return "(" + std::to_string(device.device_type) + ", " + std::to_string(device.device_id) + ")";
}

py::capsule to_dlpack(const Array& array, Client& client, int device_type, int ordinal, std::optional<bool> copy) {
  const std::shared_ptr<Device> target = device_named(client, device_type, ordinal);
  if (copy == false) {
    for (std::int64_t n : array.numblocks()) {
      if (n != 1) {
        throw py::buffer_error("__dlpack__(copy=False): the array has blocks " + chunks_to_string(array.chunks()) +
                               ", and joining them into one buffer copies them");
      }
    }
    // Results are where the cluster computes (its first GPU, else the host): elsewhere is
    // a copy. (A result that an operation without device code left in host memory is
    // still moved to the GPU, as the whole array would have been computed there.)
    const DLDevice computed_on = computing_device(client);
    if (computed_on.device_type != device_type || computed_on.device_id != ordinal) {
      throw py::buffer_error("__dlpack__(copy=False): the cluster computes on device " + device_text(computed_on) +
                             ", not " + device_text(DLDevice{static_cast<DLDeviceType>(device_type), ordinal}) +
                             "; moving the array there copies it");
    }
  }
  auto exported = std::make_unique<Exported>();
  {
    py::gil_scoped_release release;
    exported->chunk = array.compute_on(client, *target);
    // A chunk still held by a worker (a persisted array's) or wrapping the caller's memory
    // is stored data, and legacy DLPack cannot say "read only": the consumer gets a copy
    // unless it asked for none. A chunk nobody else holds is a copy already.
    if (copy != false && exported->chunk.buffer.shared()) {
      exported->chunk.buffer = duplicate_buffer(exported->chunk.buffer);
    }
  }
  exported->shape = exported->chunk.shape;
  const Device* where = exported->chunk.buffer.location();
  DLTensor& tensor = exported->managed.dl_tensor;
  tensor.data = exported->chunk.buffer.data();
  tensor.device = where == nullptr ? DLDevice{kDLCPU, 0} : DLDevice{kDLCUDA, where->ordinal()};
  tensor.ndim = exported->chunk.ndim();
  tensor.dtype = dl_dtype_of(exported->chunk.dtype);
  tensor.shape = exported->shape.data();
  tensor.strides = nullptr;  // C-contiguous
  tensor.byte_offset = 0;
  exported->managed.manager_ctx = exported.get();
  exported->managed.deleter = release_exported;
  PyObject* capsule = PyCapsule_New(&exported->managed, kCapsuleName, destroy_capsule);
  if (capsule == nullptr) throw py::error_already_set();
  exported.release();  // the capsule, then its consumer, owns it
  return py::reinterpret_steal<py::capsule>(capsule);
}

// ---- import ----

bool is_c_contiguous(const DLTensor& tensor) {
  if (tensor.strides == nullptr) return true;
  for (int d = 0; d < tensor.ndim; ++d) {
    if (tensor.shape[d] == 0) return true;  // no element: any strides will do
  }
  std::int64_t expected = 1;
  for (int d = tensor.ndim - 1; d >= 0; --d) {
    // An axis of length 1 takes no steps, so its stride is anything.
    if (tensor.shape[d] != 1 && tensor.strides[d] != expected) return false;
    expected *= tensor.shape[d];
  }
  return true;
}

// Copies a strided host tensor element by element into C order (importing a view: a
// transpose, a slice with a step).
void copy_strided(const DLTensor& tensor, std::size_t item, std::byte* out) {
  const auto* base = static_cast<const std::byte*>(tensor.data) + tensor.byte_offset;
  const int nd = tensor.ndim;
  std::int64_t count = 1;
  for (int d = 0; d < nd; ++d) count *= tensor.shape[d];
  std::vector<std::int64_t> index(static_cast<std::size_t>(nd), 0);
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t offset = 0;
    for (int d = 0; d < nd; ++d) offset += index[static_cast<std::size_t>(d)] * tensor.strides[d];
    std::memcpy(out + static_cast<std::size_t>(i) * item, base + offset * static_cast<std::int64_t>(item), item);
    for (int d = nd - 1; d >= 0; --d) {
      if (++index[static_cast<std::size_t>(d)] < tensor.shape[d]) break;
      index[static_cast<std::size_t>(d)] = 0;
    }
  }
}

// Gives a taken tensor back to its producer. Its deleter may be Python code's (CuPy's
// drops a reference), and the last holder may be a worker thread: it runs with the GIL.
void give_back(DLManagedTensor* managed) noexcept {
  if (managed->deleter == nullptr || !interpreter_alive()) return;  // at exit: leaked, as release_reference does
  const PyGILState_STATE state = PyGILState_Ensure();
  managed->deleter(managed);
  PyGILState_Release(state);
}

Array from_dlpack(const py::object& capsule_object, py::handle chunks, const Client& client, std::optional<bool> copy) {
  PyObject* capsule = capsule_object.ptr();
  if (PyCapsule_IsValid(capsule, kCapsuleName) == 0) {
    throw py::type_error("from_dlpack needs an unused DLPack capsule named 'dltensor' (what __dlpack__() returns)");
  }
  auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule, kCapsuleName));
  const DLTensor& tensor = managed->dl_tensor;
  // Everything is checked before the tensor is taken: on an error the capsule stays
  // unused, and its destructor gives the tensor back.
  Chunk whole;
  whole.dtype = dtype_of_dl(tensor.dtype);
  whole.shape.assign(tensor.shape, tensor.shape + tensor.ndim);
  for (std::int64_t extent : whole.shape) {
    if (extent < 0) throw py::buffer_error("the DLPack tensor has a negative extent in shape " + shape_to_string(whole.shape));
  }
  const DLDeviceType device_type = tensor.device.device_type;
  std::shared_ptr<Device> device;  // the GPU whose memory it is, or whose writes to it must end
  if (device_type == kDLCUDA || device_type == kDLCUDAHost) {
    device = cluster_device(client, DeviceKind::cuda, tensor.device.device_id);
    if (!device && device_type == kDLCUDA) {
      throw py::buffer_error("the tensor is on cuda:" + std::to_string(tensor.device.device_id) +
                             ", where the cluster has no worker; copy it to the host first");
    }
  } else if (device_type != kDLCPU) {
    throw py::buffer_error("tessera takes host (DLPack device types 1 and 3) or CUDA (2) memory, not device type " +
                           std::to_string(device_type));
  }
  const bool in_device_memory = device_type == kDLCUDA;
  const bool contiguous = is_c_contiguous(tensor);
  if (!contiguous && (in_device_memory || copy == false)) {
    throw py::buffer_error("tessera takes C-contiguous " +
                           std::string(in_device_memory ? "device tensors" : "tensors without a copy") +
                           "; make it contiguous first (numpy/cupy.ascontiguousarray, torch's .contiguous())");
  }
  if (whole.size() > 0 && tensor.data == nullptr) throw py::buffer_error("the DLPack tensor has no data");
  void* data = static_cast<std::byte*>(tensor.data) + tensor.byte_offset;
  // Kernels read whole elements: memory that does not start on one is copied to memory
  // that does (which is every allocation).
  const bool aligned = reinterpret_cast<std::uintptr_t>(data) % itemsize(whole.dtype) == 0;
  if (!aligned && copy == false) {
    throw py::buffer_error("the tensor's data is not aligned to its " + std::to_string(itemsize(whole.dtype)) +
                           "-byte elements, and reading it without a copy is not possible");
  }
  const ChunkSpec spec = chunk_spec_from_python(chunks, whole.shape);

  PyCapsule_SetName(capsule, kUsedCapsuleName);
  std::shared_ptr<const void> owner(managed, [](const void* p) {
    give_back(static_cast<DLManagedTensor*>(const_cast<void*>(p)));
  });
  py::gil_scoped_release release;
  // The producer's writes may still be queued on its own streams, which tessera's
  // streams do not wait for. Pinned host memory may have been written from any GPU
  // (its device_id names none reliably): without a worker on it, every GPU in use waits.
  if (device) {
    device->synchronize_all();
  } else if (device_type == kDLCUDAHost) {
    synchronize_gpus_in_use();
  }
  if (in_device_memory) {
    whole.buffer = Buffer::wrap_device(data, whole.nbytes(), std::move(owner), device);
  } else if (contiguous) {
    whole.buffer = Buffer::wrap_host(data, whole.nbytes(), std::move(owner));
  } else {
    whole.buffer = Buffer::allocate_host(whole.nbytes());
    copy_strided(tensor, itemsize(whole.dtype), whole.buffer.data());
  }
  if (contiguous && (copy == true || !aligned)) whole.buffer = duplicate_buffer(whole.buffer);
  return from_chunk(std::move(whole), spec);
}

}  // namespace

void bind_dlpack(py::module_& m) {
  m.def("to_dlpack", &to_dlpack, py::arg("array"), py::arg("client"), py::arg("device_type"), py::arg("device_id"),
        py::arg("copy"), "A DLPack capsule of the computed array in the named device's memory.");
  m.def(
      "dlpack_device",
      [](const Client& client) {
        const DLDevice device = computing_device(client);
        return py::make_tuple(static_cast<int>(device.device_type), device.device_id);
      },
      py::arg("client"),
        "(DLPack device type, ordinal) where the client's cluster leaves array results.");
  m.def("from_dlpack", &from_dlpack, py::arg("capsule"), py::arg("chunks"), py::arg("client"), py::arg("copy"),
        "An array reading a DLPack capsule's tensor in place (copied where copy=True or it is strided host data).");
}

}  // namespace tessera::python
