"""Progress reporting (tessera/diagnostics.py): ProgressBar around computations and
ts.progress(futures) write bars that count the tasks; the computed values are unaffected."""
from __future__ import annotations

import io
import re
import threading

import numpy as np
import pytest

import tessera as ts

FINAL_BAR = re.compile(r"\r\[#{40}\] \| 100% \| (\d+)/(\d+) tasks \| +\d+\.\ds\n$")


def test_progress_bar_reports_the_tasks_of_a_computation():
    out = io.StringIO()
    host = np.arange(200 * 120, dtype=np.float64).reshape(200, 120)
    x = ts.asarray(host, chunks=(50, 40))  # 12 chunks: tasks on the workers
    with ts.diagnostics.ProgressBar(out=out, dt=0.01):
        value = (x + x.T.T).sum(axis=0).compute()
    np.testing.assert_array_equal(value, (host + host).sum(axis=0))
    text = out.getvalue()
    final = FINAL_BAR.search(text)
    assert final, repr(text[-200:])
    done, total = map(int, final.groups())
    assert done == total and done >= 12
    assert text.rstrip("\n").split("\r")[-1].split("|")[2].strip().endswith("tasks")


def test_progress_bar_counts_only_its_own_work():
    out = io.StringIO()
    x = ts.asarray(np.ones((40, 40)), chunks=10)
    x.sum().compute()  # work before the bar is not counted
    with ts.diagnostics.ProgressBar(out=out, dt=10.0):
        assert x.max().compute() == 1.0
    counted = FINAL_BAR.search(out.getvalue())
    assert counted, repr(out.getvalue())
    out2 = io.StringIO()
    with ts.diagnostics.ProgressBar(out=out2, dt=10.0):
        pass
    nothing = FINAL_BAR.search(out2.getvalue())
    assert nothing and nothing.groups() == ("0", "0")
    assert int(counted.group(1)) > 0


def test_progress_bar_minimum_hides_short_work():
    out = io.StringIO()
    with ts.diagnostics.ProgressBar(out=out, dt=0.01, minimum=3600):
        ts.asarray(np.ones((10, 10)), chunks=5).sum().compute()
    assert out.getvalue() == ""


def test_progress_of_futures():
    client = ts.Client(n_workers=2, set_as_default=False)
    gate = threading.Event()
    futures = [client.submit(gate.wait, 30)] + client.map(lambda i: i * 2, range(4))
    out = io.StringIO()
    gate.set()
    ts.progress(futures, out=out)
    assert all(f.done() for f in futures)
    text = out.getvalue()
    bars = text.rstrip("\n").split("\r")[1:]
    assert bars[0].startswith("[" + " " * 40 + "] |   0% | 0/5 tasks")
    assert [re.search(r"(\d+)/5 tasks", bar).group(1) for bar in bars] == ["0", "1", "2", "3", "4", "5"]
    assert FINAL_BAR.search(text).groups() == ("5", "5")
    assert client.gather(futures[1:]) == [0, 2, 4, 6]
    client.close()


def test_progress_of_nothing():
    out = io.StringIO()
    ts.progress([], out=out)
    assert FINAL_BAR.search(out.getvalue()).groups() == ("0", "0")


def test_visualize_writes_the_task_graph(tmp_path):
    import shutil
    import warnings

    x = ts.asarray(np.arange(16.0).reshape(4, 4), chunks=2)
    y = (x + x.T).sum()
    from tessera._visualize import to_dot
    dot = to_dot([y])
    assert dot.startswith("digraph tessera {") and "->" in dot and "sum" in dot
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # graphviz may be missing: then only the .dot is written
        path = y.visualize(filename=str(tmp_path / "graph"))
    written = (tmp_path / "graph.dot").read_text()  # a new lowering: same shape, fresh keys
    assert written.count("->") == dot.count("->") and written.count("label=") == dot.count("label=")
    assert path.endswith(".png" if shutil.which("dot") else ".dot")


def test_gpus_lists_devices_or_says_why_there_are_none():
    info = ts.diagnostics.gpus()
    assert set(info) == {"gpus", "reason"}
    assert (info["gpus"] == []) == (info["reason"] != "")
    for gpu in info["gpus"]:
        assert gpu["memory_bytes"] > 0 and gpu["compute_capability"] >= 50 and gpu["name"]
    assert ts.diagnostics.gpus() == info  # found once per process


def test_workers_name_their_devices():
    info = ts.diagnostics.gpus()
    with ts.Client(n_workers=2, gpus=0, set_as_default=False) as cpu_only:
        assert [s["device"] for s in cpu_only.worker_stats()] == ["cpu", "cpu"]
    with ts.Client(n_workers=1, virtual_gpus=2, set_as_default=False) as client:
        devices = [s["device"] for s in client.worker_stats()]
        expected = ["cpu"] + [f"cuda:{g['index']}/{v}" for g in info["gpus"] for v in range(2)]
        assert devices == expected
        # Array work runs on the GPUs where there are some, else on the CPU worker; the
        # results are the same either way.
        x = ts.random.random((300, 300), chunks=64, seed=5)
        xn = x.compute()
        expected_sum = (xn.T - xn.mean(axis=0)).sum()
        assert np.isclose(float((x.T - x.mean(axis=0)).sum().compute(client=client)), expected_sum)
        stats = client.worker_stats()
        on_gpus = sum(s["tasks_executed"] for s in stats[1:])
        assert (on_gpus > 0) == bool(info["gpus"])


def test_asking_for_more_gpus_than_visible_says_so():
    wanted = len(ts.diagnostics.gpus()["gpus"]) + 1
    with pytest.raises(ValueError, match="usable"):
        ts.Client(gpus=wanted, set_as_default=False)
    with pytest.raises(ValueError, match="virtual_gpus"):
        ts.Client(virtual_gpus=0, set_as_default=False)


def test_working_workers_report_no_loss_and_bad_allowed_failures_is_refused():
    # Losing a worker needs a GPU to break: the C++ suite does it on simulated GPUs
    # (tests/cpp/core/worker_loss_test.cpp). Here: what Python sees of a healthy cluster.
    with ts.Client(n_workers=2, gpus=0, allowed_failures=0, set_as_default=False) as client:
        assert client.submit(lambda a: a + 1, 1).result() == 2
        assert [s["lost"] for s in client.worker_stats()] == [None, None]
        stats = client._native.scheduler_stats()
        assert stats["workers_lost"] == 0 and stats["results_lost"] == 0
    with pytest.raises(ValueError, match="allowed_failures"):
        ts.Client(allowed_failures=-1, set_as_default=False)
    assert issubclass(ts.KilledWorker, RuntimeError)
