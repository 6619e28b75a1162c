// The Python Client's native side: Python callables as tasks, futures of Python objects.
//
// A Python task is a PythonCall runner holding one callable that takes the list of its
// dependencies' values; the Python layer builds that callable (substituting the values
// into args and kwargs), so this file never parses Python argument structures.
#include <pybind11/stl.h>

#include <chrono>

#include "bindings.hpp"
#include "conversions.hpp"
#include "py_object.hpp"
#include "tessera/core/client.hpp"
#include "tessera/core/gpus.hpp"
#include "tessera/core/local_cluster.hpp"

namespace tessera::python {

namespace {

using PyFuture = Future<Value>;

py::object value_to_python(const Value& value) {
  if (!value.has_value()) return py::none();
  const std::type_info& type = *value.type()->info;
  if (type == typeid(PyObjectRef)) return value.get<PyObjectRef>().get();
  if (type == typeid(Chunk)) return chunk_to_numpy(value.get<Chunk>(), /*copy=*/false);
  if (type == typeid(double)) return py::float_(value.get<double>());
  if (type == typeid(std::int64_t)) return py::int_(value.get<std::int64_t>());
  if (type == typeid(std::string)) return py::str(value.get<std::string>());
  throw TypeError("a task result of C++ type " + demangle(type) + " has no Python form");
}

class PythonCall final : public TaskRunner {
 public:
  explicit PythonCall(py::object fn) : fn_(std::move(fn)) {}

  Value run(std::span<const Value> inputs) const override {
    return with_worker_gil([&] {
      py::list values(inputs.size());
      for (std::size_t i = 0; i < inputs.size(); ++i) values[i] = value_to_python(inputs[i]);
      py::object result = fn_.get()(values);
      const std::size_t nbytes = estimate_nbytes(result);
      return Value::make(PyObjectRef(std::move(result), nbytes));
    });
  }

 private:
  PyObjectRef fn_;
};

std::string status_name(FutureStatus status) {
  switch (status) {
    case FutureStatus::pending: return "pending";
    case FutureStatus::finished: return "finished";
    case FutureStatus::error: return "error";
    case FutureStatus::cancelled: return "cancelled";
  }
  return "unknown";
}

std::shared_ptr<Client> make_client(std::size_t n_workers, std::size_t threads_per_worker, std::size_t memory_limit,
                                    const std::string& spill_directory, int gpus, std::size_t virtual_gpus,
                                    std::size_t device_memory_limit, std::uint32_t allowed_failures) {
  LocalClusterOptions options;
  options.n_workers = n_workers;
  options.threads_per_worker = threads_per_worker;
  options.memory_limit = memory_limit;
  options.spill_directory = spill_directory;
  options.gpus = gpus;
  options.virtual_gpus = virtual_gpus;
  options.device_memory_limit = device_memory_limit;
  options.allowed_failures = allowed_failures;
  return std::shared_ptr<Client>(new Client(LocalCluster(options)), [](Client* client) {
    // Shutting a cluster down waits for its threads, and they may need the GIL to drop
    // Python objects: whoever holds the GIL lets go of it meanwhile.
    const GilReleasedIfHeld unlocked;
    delete client;
  });
}

// Iterates futures as they complete, releasing the GIL while it waits.
class CompletionIterator {
 public:
  explicit CompletionIterator(AsCompleted<Value> completed) : completed_(std::move(completed)) {}
  PyFuture next() {
    std::optional<PyFuture> future;
    {
      py::gil_scoped_release release;
      future = completed_.next();
    }
    if (!future) throw py::stop_iteration();
    return *future;
  }

 private:
  AsCompleted<Value> completed_;
};

}  // namespace

void bind_client(py::module_& m) {
  m.def(
      "gpu_availability",
      [] {
        const GpuAvailability& a = gpu_availability();
        py::list gpus;
        for (const GpuInfo& g : a.gpus) {
          py::dict d;
          d["index"] = g.index;
          d["name"] = g.name;
          d["memory_bytes"] = g.memory_bytes;
          d["compute_capability"] = g.compute_capability;
          d["multiprocessors"] = g.multiprocessors;
          gpus.append(d);
        }
        return py::make_tuple(gpus, a.reason);
      },
      "The visible GPUs (dicts) and why there are none (empty when there are).");
  py::class_<PyFuture>(m, "Future", "The native future; tessera.Future wraps it.")
      .def_property_readonly("key", [](const PyFuture& f) { return to_string(f.key()); })
      .def_property_readonly("name", &PyFuture::name)
      .def_property_readonly("status", [](const PyFuture& f) { return status_name(f.status()); })
      .def("done", &PyFuture::done)
      .def(
          "wait",
          [](const PyFuture& f, std::optional<double> timeout) {
            py::gil_scoped_release release;
            if (!timeout) {
              f.wait();
              return true;
            }
            return f.wait_for(std::chrono::duration<double>(*timeout));
          },
          py::arg("timeout") = py::none())
      .def("result", [](const PyFuture& f) {
        Value value;
        {
          py::gil_scoped_release release;
          value = f.result();
        }
        return value_to_python(value);
      });

  py::class_<CompletionIterator>(m, "AsCompleted")
      .def("__iter__", [](CompletionIterator& self) -> CompletionIterator& { return self; })
      .def("__next__", &CompletionIterator::next);

  py::class_<Client, std::shared_ptr<Client>>(m, "Client", "The native client of an in-process LocalCluster.")
      .def(py::init(&make_client), py::arg("n_workers") = 1, py::arg("threads_per_worker") = 0,
           py::arg("memory_limit") = 0, py::arg("spill_directory") = "", py::arg("gpus") = -1,
           py::arg("virtual_gpus") = 1, py::arg("device_memory_limit") = 0, py::arg("allowed_failures") = 3)
      .def_static(
          "default", [] { return std::shared_ptr<Client>(&default_client(), [](Client*) {}); },
          "The process-wide client arrays use when given none (never shut down).")
      .def(
          "submit",
          [](Client& client, const std::vector<std::pair<py::object, std::vector<PyFuture>>>& tasks,
             const std::string& name) {
            std::vector<detail::BoundCall> calls;
            calls.reserve(tasks.size());
            for (const auto& [fn, dependencies] : tasks) {
              calls.push_back(detail::bind_runner(std::make_shared<const PythonCall>(fn), dependencies));
            }
            py::gil_scoped_release release;
            return client.submit_runners(std::move(calls), TaskOptions{name});
          },
          py::arg("tasks"), py::arg("name"),
          "Submits (fn, dependencies) pairs; fn receives the list of its dependencies' values.")
      .def(
          "scatter",
          [](Client& client, const py::list& values, const std::string& name) {
            std::vector<PyObjectRef> refs;
            refs.reserve(values.size());
            for (py::handle v : values) {
              refs.emplace_back(py::reinterpret_borrow<py::object>(v), estimate_nbytes(v));
            }
            py::gil_scoped_release release;
            std::vector<PyFuture> futures;
            for (const auto& typed : client.scatter(std::move(refs), name)) futures.emplace_back(typed.state());
            return futures;
          },
          py::arg("values"), py::arg("name"))
      .def("gather",
           [](Client& client, const std::vector<PyFuture>& futures) {
             std::vector<Value> values;
             {
               py::gil_scoped_release release;
               values = client.gather(futures);
             }
             py::list out;
             for (const Value& v : values) out.append(value_to_python(v));
             return out;
           })
      .def("wait", [](Client& client, const std::vector<PyFuture>& futures) { client.wait(futures); },
           py::call_guard<py::gil_scoped_release>())
      .def("cancel", [](Client& client, const std::vector<PyFuture>& futures) { client.cancel(futures); },
           py::call_guard<py::gil_scoped_release>())
      .def("as_completed",
           [](Client& client, std::vector<PyFuture> futures) { return CompletionIterator(client.as_completed(std::move(futures))); })
      .def_property_readonly("n_workers", [](const Client& c) { return c.cluster().n_workers(); })
      .def_property_readonly("threads_per_worker", [](const Client& c) { return c.cluster().threads_per_worker(); })
      .def("scheduler_stats",
           [](const Client& c) {
             const runtime::SchedulerStats s = c.cluster().scheduler_stats();
             py::dict d;
             d["tasks"] = s.tasks;
             d["released"] = s.released;
             d["waiting"] = s.waiting;
             d["queued"] = s.queued;
             d["processing"] = s.processing;
             d["memory"] = s.memory;
             d["erred"] = s.erred;
             d["steals"] = s.steals;
             d["workers_lost"] = s.workers_lost;
             d["results_lost"] = s.results_lost;
             return d;
           })
      .def("worker_stats", [](const Client& c, std::size_t worker) {
        const runtime::WorkerStats s = c.cluster().worker_stats(worker);
        py::dict d;
        d["device"] = c.cluster().worker_device(worker);
        d["tasks_executed"] = s.tasks_executed;
        d["tasks_held"] = s.tasks_held;
        d["values_fetched"] = s.values_fetched;
        d["values_moved"] = s.values_moved;
        d["bytes_moved"] = s.bytes_moved;
        d["keys_in_memory"] = s.store.keys_in_memory;
        d["keys_on_device"] = s.store.keys_on_device;
        d["keys_on_disk"] = s.store.keys_on_disk;
        d["bytes_in_memory"] = s.store.bytes_in_memory;
        d["bytes_on_device"] = s.store.bytes_on_device;
        d["bytes_on_disk"] = s.store.bytes_on_disk;
        d["moved_to_host"] = s.store.moved_to_host_total;
        d["lost"] = s.lost_reason.empty() ? py::object(py::none()) : py::object(py::str(s.lost_reason));
        return d;
      });
}

}  // namespace tessera::python
