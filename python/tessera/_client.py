"""Client and Future: the futures interface of dask.distributed, on tessera's runtime.

Python callables run as tasks on the workers' threads (taking the GIL only while they
run). Futures among a task's arguments, also inside lists, tuples and dicts, become its
dependencies; the task receives their values.
"""
from __future__ import annotations

import os
import shutil
import sys
import threading
import weakref
from typing import Any, Callable, Iterable, Iterator

from . import _tessera
from ._nested import leaves, rebuild

CancelledError = _tessera.CancelledError
KilledWorker = _tessera.KilledWorker

_current_lock = threading.Lock()
_current: list["weakref.ref[Client]"] = []


def default_client() -> "Client":
    """The client computations use when given none: the most recent live Client, else a
    process-wide one started on first use."""
    with _current_lock:
        while _current:
            client = _current[-1]()
            if client is not None and not client._closed:
                return client
            _current.pop()
    return Client._process_default()


def default_native() -> "_tessera.Client":
    """The native side of default_client(), for the functions that compute while they build."""
    return default_client()._native


class Future:
    """A task's result that may not exist yet."""

    __slots__ = ("_native", "_client", "__weakref__")

    def __init__(self, native: "_tessera.Future", client: "Client"):
        self._native = native
        self._client = client

    @property
    def key(self) -> str:
        return self._native.key

    @property
    def status(self) -> str:
        """'pending', 'finished', 'error' or 'cancelled'."""
        return self._native.status

    def done(self) -> bool:
        return self._native.done()

    def result(self, timeout: float | None = None) -> Any:
        """Waits for the task and returns its value; raises what the task raised (with its
        traceback), or CancelledError."""
        if timeout is not None and not self._native.wait(timeout):
            raise TimeoutError(f"{self._native.name} did not finish within {timeout} s")
        return self._native.result()

    def exception(self, timeout: float | None = None) -> BaseException | None:
        try:
            self.result(timeout)
        except CancelledError:
            raise
        except BaseException as error:  # noqa: BLE001 - the task's own exception is the answer
            return error
        return None

    def cancel(self) -> None:
        self._client.cancel([self])

    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def __repr__(self) -> str:
        return f"<Future: {self.status}, key: {self._native.name}>"


def _distinct_futures(obj: Any) -> dict:
    """The distinct futures inside obj: {id of the native future: (position, future)}."""
    found: dict = {}
    for future in leaves(obj, Future):
        found.setdefault(id(future._native), (len(found), future))
    return found


def _task(fn: Callable, args: tuple, kwargs: dict, client: "Client"):
    """The callable the runtime runs and its dependencies."""
    found = _distinct_futures((args, kwargs))
    for _, future in found.values():
        if future._client is not client:
            raise ValueError(f"{future!r} belongs to another client")
    if not found:
        if kwargs:
            return (lambda _values: fn(*args, **kwargs)), []
        return (lambda _values: fn(*args)), []

    # The callable keeps slots, not the futures: a future held by a finished task's callable
    # would keep its result on the workers after the user dropped it.
    def slot(future: Future) -> _Slot:
        return _Slot(found[id(future._native)][0])

    args_template, kwargs_template = rebuild(args, Future, slot), rebuild(kwargs, Future, slot)

    def call(values):
        def fill(s: _Slot) -> Any:
            return values[s.index]

        return fn(*rebuild(args_template, _Slot, fill), **rebuild(kwargs_template, _Slot, fill))

    return call, [future._native for _, future in sorted(found.values(), key=lambda entry: entry[0])]


class _Slot:
    """Where the value of a task's index-th dependency goes in its arguments."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


def _name_of(fn: Callable) -> str:
    return getattr(fn, "__name__", type(fn).__name__).strip("<>") or "task"


class Client:
    """A client of an in-process cluster: scheduler and workers on this machine.

    ``n_workers`` CPU workers run beside one worker per visible GPU (``gpus=-1``; ``0``
    for none, ``n`` for the first n). ``virtual_gpus`` splits each GPU into that many
    workers, each with its own streams, memory pool and ``device_memory_limit`` (bytes of
    results kept on the device before the least recently used move to host memory;
    0: 80% of its share of the card). A worker whose GPU breaks (a kernel's illegal memory
    access leaves the card unusable to the process) retires: its results are computed again
    elsewhere and its tasks move to other workers, each at most ``allowed_failures`` times
    before it fails with ``tessera.KilledWorker``; ``worker_stats()`` says why under "lost".

    >>> client = ts.Client(n_workers=2)
    >>> a = client.submit(lambda x: x + 1, 10)
    >>> b = client.submit(lambda x, y: x * y, a, 2)     # a future argument is a dependency
    >>> b.result()
    22
    """

    _process_default_client: "Client | None" = None

    def __init__(self, n_workers: int = 1, threads_per_worker: int = 0, memory_limit: int = 0,
                 spill_directory: str = "", *, gpus: int = -1, virtual_gpus: int = 1,
                 device_memory_limit: int = 0, allowed_failures: int = 3, set_as_default: bool = True,
                 _native=None):
        if allowed_failures < 0:
            raise ValueError(f"allowed_failures must be at least 0, got {allowed_failures}")
        self._native = _native if _native is not None else _tessera.Client(
            n_workers, threads_per_worker, memory_limit, spill_directory, gpus, virtual_gpus,
            device_memory_limit, allowed_failures)
        self._closed = False
        self._uploaded: list[str] = []
        if set_as_default:
            with _current_lock:
                _current.append(weakref.ref(self))

    @classmethod
    def _process_default(cls) -> "Client":
        with _current_lock:
            if cls._process_default_client is None:
                cls._process_default_client = Client(_native=_tessera.Client.default(), set_as_default=False)
            return cls._process_default_client

    # ---- context and lifetime ----
    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stops using this client; its cluster shuts down once its futures are gone."""
        self._closed = True

    @property
    def n_workers(self) -> int:
        return self._native.n_workers

    def worker_stats(self) -> list[dict]:
        """Per worker: its device, tasks run, values moved to it from other devices, and
        values held on the device, in host memory and on disk."""
        return [self._native.worker_stats(i) for i in range(self._native.n_workers)]

    def __repr__(self) -> str:
        return f"<tessera.Client: {self.n_workers} workers, {self._native.threads_per_worker} threads each>"

    # ---- futures ----
    def submit(self, fn: Callable, *args, key: str | None = None, pure: bool | None = None, **kwargs) -> Future:
        """Runs fn(*args, **kwargs) on a worker; futures among the arguments are dependencies."""
        del pure  # every submission is a new task (no hashing of arguments)
        call, dependencies = _task(fn, args, kwargs, self)
        return Future(self._native.submit([(call, dependencies)], key or _name_of(fn))[0], self)

    def map(self, fn: Callable, *iterables: Iterable, key: str | None = None, **kwargs) -> list[Future]:
        """submit(fn, *items, **kwargs) for the items of the iterables taken in step, as one batch."""
        tasks = [_task(fn, items, kwargs, self) for items in zip(*iterables)]
        return [Future(native, self) for native in self._native.submit(tasks, key or _name_of(fn))]

    def scatter(self, data: Any, broadcast: bool = False) -> Any:
        """Places data on the workers; a list or dict gives a list or dict of futures."""
        del broadcast  # one process: every worker reads the same memory
        if isinstance(data, dict):
            futures = self._native.scatter(list(data.values()), "scatter")
            return {k: Future(f, self) for k, f in zip(data.keys(), futures)}
        if isinstance(data, (list, tuple)):
            return type(data)(Future(f, self) for f in self._native.scatter(list(data), "scatter"))
        return Future(self._native.scatter([data], "scatter")[0], self)

    def gather(self, futures: Any) -> Any:
        """The results of futures (also nested in lists, tuples and dicts), in their structure."""
        found = _distinct_futures(futures)
        if not found:
            return futures
        ordered = [future for _, future in sorted(found.values(), key=lambda entry: entry[0])]
        values = self._native.gather([f._native for f in ordered])
        return rebuild(futures, Future, lambda future: values[found[id(future._native)][0]])

    def wait(self, futures: Iterable[Future]) -> None:
        self._native.wait([f._native for f in futures])

    def cancel(self, futures: Future | Iterable[Future]) -> None:
        """Cancels the tasks, the tasks depending on them and the dependencies nobody else needs."""
        if isinstance(futures, Future):
            futures = [futures]
        self._native.cancel([f._native for f in futures])

    def as_completed(self, futures: Iterable[Future]) -> Iterator[Future]:
        """The futures in the order they complete, counted from this call (as dask's)."""
        futures = list(futures)
        by_key = {f.key: f for f in futures}
        natives = self._native.as_completed([f._native for f in futures])  # tracking starts now
        return (by_key[native.key] for native in natives)

    def compute(self, collections: Any, sync: bool = False) -> Any:
        """Futures of arrays or delayed objects (one, or a list); with sync, their values."""
        from ._delayed import compute_as_futures
        single = not isinstance(collections, (list, tuple))
        futures = compute_as_futures(self, [collections] if single else list(collections))
        if sync:
            values = self.gather(futures)
            return values[0] if single else values
        return futures[0] if single else futures

    def persist(self, collections: Any) -> Any:
        """Arrays computed and kept on the workers (see Array.persist)."""
        single = not isinstance(collections, (list, tuple))
        items = [collections] if single else list(collections)
        out = [item.persist(client=self) for item in items]
        return out[0] if single else out

    def rebalance(self, futures: Iterable[Future] | None = None) -> None:
        """Spreads held results evenly over the workers. In-process workers share one memory,
        so there is nothing to move; kept for dask.distributed compatibility."""
        del futures

    def replicate(self, futures: Iterable[Future], n: int | None = None) -> None:
        """Copies results to n workers. In-process workers read each other's results without a
        copy, so this only checks that the futures completed."""
        del n
        self.wait(list(futures))

    def upload_file(self, filename: str) -> None:
        """Makes a .py, .zip or .egg importable on every worker (here: this process)."""
        if not os.path.isfile(filename):
            raise FileNotFoundError(f"upload_file: no such file: {filename}")
        directory = os.path.join(os.path.expanduser("~"), ".cache", "tessera", "uploads")
        os.makedirs(directory, exist_ok=True)
        target = os.path.join(directory, os.path.basename(filename))
        shutil.copyfile(filename, target)
        path = target if filename.endswith((".zip", ".egg")) else directory
        if path not in sys.path:
            sys.path.insert(0, path)
        module = os.path.splitext(os.path.basename(filename))[0]
        if module in sys.modules:  # a new version of an uploaded module replaces the old one
            import importlib
            importlib.reload(sys.modules[module])
        self._uploaded.append(target)
