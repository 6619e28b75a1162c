"""Progress of long computations: `with ts.diagnostics.ProgressBar(): x.compute()`, and
`ts.progress(futures)`; what hardware tessera found: `ts.diagnostics.gpus()`."""
from __future__ import annotations

import sys
import threading
import time
from typing import Iterable, TextIO


def _bar(done: int, total: int, elapsed: float, width: int = 40) -> str:
    fraction = done / total if total else 1.0
    filled = int(width * fraction)
    return f"\r[{'#' * filled}{' ' * (width - filled)}] | {fraction:4.0%} | {done}/{total} tasks | {elapsed:5.1f}s"


class ProgressBar:
    """Shows tasks done/total and the elapsed time of the default client's work while the
    block runs, refreshed every `dt` seconds (opt in: nothing is shown otherwise)."""

    def __init__(self, dt: float = 0.1, out: TextIO | None = None, minimum: float = 0.0, client=None):
        self._dt, self._out, self._minimum, self._client = dt, out or sys.stdout, minimum, client
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _counts(self) -> tuple[int, int]:
        native = self._client._native
        executed = sum(native.worker_stats(i)["tasks_executed"] for i in range(native.n_workers))
        scheduler = native.scheduler_stats()
        done = executed - self._executed_at_start
        remaining = scheduler["waiting"] + scheduler["queued"] + scheduler["processing"]
        return done, done + remaining

    def __enter__(self) -> "ProgressBar":
        from ._client import default_client
        self._client = self._client or default_client()
        native = self._client._native
        self._executed_at_start = sum(native.worker_stats(i)["tasks_executed"] for i in range(native.n_workers))
        self._start = time.perf_counter()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="tessera-progress", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self._dt):
            elapsed = time.perf_counter() - self._start
            if elapsed >= self._minimum:
                self._out.write(_bar(*self._counts(), elapsed))
                self._out.flush()

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        elapsed = time.perf_counter() - self._start
        if elapsed >= self._minimum:
            done, total = self._counts()
            self._out.write(_bar(done, max(total, done), elapsed) + "\n")
            self._out.flush()


def progress(futures: Iterable, out: TextIO | None = None) -> None:
    """Waits for the futures, showing how many are done and the elapsed time."""
    from ._client import Future, default_client
    futures = [f for f in futures if isinstance(f, Future)]
    out = out or sys.stdout
    start = time.perf_counter()
    client = futures[0]._client if futures else default_client()
    done = 0
    out.write(_bar(0, len(futures), 0.0))
    for _ in client.as_completed(futures):
        done += 1
        out.write(_bar(done, len(futures), time.perf_counter() - start))
        out.flush()
    out.write("\n")
    out.flush()


def gpus() -> dict:
    """The GPUs tessera can use here, and why there are none.

    Returns ``{"gpus": [...], "reason": str}``: one dict per visible GPU (``index``,
    ``name``, ``memory_bytes``, ``compute_capability`` as major * 10 + minor,
    ``multiprocessors``), and, when the list is empty, the reason (no driver, no device,
    or a build without CUDA). Never raises: without a GPU, tessera runs on the CPU.
    """
    from . import _tessera

    found, reason = _tessera.gpu_availability()
    return {"gpus": list(found), "reason": reason}
