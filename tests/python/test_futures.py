"""Client and Future (tessera/_client.py): the futures interface of dask.distributed on
tessera's runtime, with a two-worker client. Results are compared with the plain Python calls.

No test depends on timing: completion orders are forced with dependencies or events."""
from __future__ import annotations

import concurrent.futures
import gc
import threading
import time
import traceback

import numpy as np
import pytest

import tessera as ts


@pytest.fixture(scope="module")
def client():
    c = ts.Client(n_workers=2, gpus=0, set_as_default=False)  # CPU workers only, on any machine
    yield c
    c.close()


def inc(x):
    return x + 1


def add(x, y):
    return x + y


def fail_with_key_error(x):
    raise KeyError(f"no entry {x}")


def test_client_shape(client):
    assert client.n_workers == 2
    assert len(client.worker_stats()) == 2
    assert "2 workers" in repr(client)


def test_submit(client):
    f = client.submit(inc, 10)
    assert isinstance(f, ts.Future)
    assert f.result() == 11
    assert f.done() and f.status == "finished"
    assert client.submit(add, 2, y=5).result() == 7
    assert client.submit(lambda: "no args").result() == "no args"
    assert client.submit(sorted, [3, 1, 2], reverse=True).result() == [3, 2, 1]


def test_futures_as_dependencies(client):
    a = client.submit(inc, 1)
    b = client.submit(add, a, 10)                       # a future argument
    c = client.submit(sum, [a, b, 100])                 # futures inside a list
    d = client.submit(lambda m: m["x"] * m["y"][0], {"x": a, "y": (b,)})  # inside a dict and a tuple
    e = client.submit(add, x=c, y=d)                    # futures as keyword arguments
    assert a.result() == 2
    assert b.result() == 12
    assert c.result() == 114
    assert d.result() == 24
    assert e.result() == 138


def test_same_future_twice_in_arguments(client):
    a = client.submit(inc, 4)
    assert client.submit(lambda x, y, z: (x, y, z), a, a, [a]).result() == (5, 5, [5])


def test_numpy_values_travel(client):
    a = client.submit(np.arange, 6)
    b = client.submit(lambda v: v.reshape(2, 3) * 2, a)
    np.testing.assert_array_equal(b.result(), np.arange(6).reshape(2, 3) * 2)


def test_map(client):
    futures = client.map(inc, range(10))
    assert [f.result() for f in futures] == list(range(1, 11))
    futures = client.map(add, [1, 2, 3], [10, 20, 30])
    assert client.gather(futures) == [11, 22, 33]
    futures = client.map(lambda x, scale=1: x * scale, [1, 2], scale=3)
    assert client.gather(futures) == [3, 6]
    chained = client.map(inc, client.map(inc, range(4)))
    assert client.gather(chained) == [2, 3, 4, 5]


def test_gather_nested_structure(client):
    a, b = client.submit(inc, 1), client.submit(inc, 2)
    structure = {"x": [a, (b, "plain")], "y": {"z": a}, "w": 7}
    assert client.gather(structure) == {"x": [2, (3, "plain")], "y": {"z": 2}, "w": 7}
    assert client.gather([a, b]) == [2, 3]
    assert client.gather((a,)) == (2,)
    assert client.gather("no futures") == "no futures"


def test_scatter(client):
    futures = client.scatter([1, "two", np.arange(3)])
    assert isinstance(futures, list) and all(isinstance(f, ts.Future) for f in futures)
    values = client.gather(futures)
    assert values[:2] == [1, "two"]
    np.testing.assert_array_equal(values[2], np.arange(3))

    mapping = client.scatter({"a": 1, "b": [2, 3]})
    assert set(mapping) == {"a", "b"}
    assert client.gather(mapping) == {"a": 1, "b": [2, 3]}

    single = client.scatter(41)
    assert isinstance(single, ts.Future)
    assert client.submit(inc, single).result() == 42
    assert client.submit(add, mapping["a"], futures[0]).result() == 2


def test_wait(client):
    event = threading.Event()
    futures = [client.submit(event.wait, 30), client.submit(inc, 1)]
    event.set()
    client.wait(futures)
    assert all(f.done() for f in futures)
    assert [f.result() for f in futures] == [True, 2]


def test_result_timeout(client):
    event = threading.Event()
    f = client.submit(event.wait, 30)
    with pytest.raises(TimeoutError):
        f.result(timeout=0.01)
    event.set()
    assert f.result() is True


def test_cancel(client):
    assert issubclass(ts.CancelledError, concurrent.futures.CancelledError)
    event = threading.Event()
    blocker = client.submit(event.wait, 30)
    dependent = client.submit(inc, client.submit(lambda v: 1, blocker))
    dependent.cancel()
    assert dependent.cancelled() and dependent.status == "cancelled"
    with pytest.raises(concurrent.futures.CancelledError):
        dependent.result()
    with pytest.raises(concurrent.futures.CancelledError):
        dependent.exception()
    event.set()
    assert blocker.result() is True  # still wanted by this test: not cancelled
    other = client.submit(inc, 1)
    assert other.result() == 2


def test_cancel_a_dependency_cancels_its_dependents(client):
    event = threading.Event()
    blocker = client.submit(event.wait, 30)
    dependent = client.submit(lambda v: v, blocker)
    client.cancel([blocker])
    event.set()
    for f in (blocker, dependent):
        with pytest.raises(ts.CancelledError):
            f.result(timeout=10)


def test_as_completed_follows_dependencies(client):
    gate = threading.Event()
    first = client.submit(lambda: gate.wait(30))
    second = client.submit(lambda v: v, first)
    third = client.submit(lambda v: v, second)
    iterator = client.as_completed([third, second, first])
    gate.set()
    assert list(iterator) == [first, second, third]


def test_as_completed_follows_completion(client):
    events = [threading.Event(), threading.Event()]
    futures = [client.submit(e.wait, 30) for e in events]
    iterator = client.as_completed(futures)
    events[1].set()
    assert next(iterator) is futures[1]
    events[0].set()
    assert next(iterator) is futures[0]
    assert list(iterator) == []


def test_exception_type_message_and_traceback(client):
    f = client.submit(fail_with_key_error, 7)
    with pytest.raises(KeyError, match="no entry 7") as info:
        f.result()
    formatted = "".join(traceback.format_exception(info.value))
    assert "fail_with_key_error" in formatted
    assert f.status == "error"


def test_exception_method(client):
    f = client.submit(fail_with_key_error, 8)
    error = f.exception()
    assert isinstance(error, KeyError) and "no entry 8" in str(error)
    assert client.submit(inc, 1).exception() is None


def test_gather_raises_the_task_error(client):
    good, bad = client.submit(inc, 1), client.submit(fail_with_key_error, 9)
    with pytest.raises(KeyError, match="no entry 9"):
        client.gather([good, bad])


def test_dependent_of_a_failed_task_raises_its_error(client):
    bad = client.submit(fail_with_key_error, 10)
    dependent = client.submit(inc, bad)
    with pytest.raises(KeyError, match="no entry 10"):
        dependent.result()


def test_failed_task_and_its_dependents_all_raise_the_original_error(client):
    bad = client.submit(fail_with_key_error, 11)
    dependents = [client.submit(inc, bad), client.submit(add, 1, bad)]
    for f in [bad, *dependents]:
        with pytest.raises(KeyError, match="no entry 11"):
            f.result()


def test_result_raises_the_same_error_every_time(client):
    bad = client.submit(fail_with_key_error, 12)
    assert isinstance(bad.exception(), KeyError)
    for _ in range(2):
        with pytest.raises(KeyError, match="no entry 12"):
            bad.result()


def test_futures_of_another_client_are_refused(client):
    other = ts.Client(n_workers=1, set_as_default=False)
    foreign = other.scatter(1)
    with pytest.raises(ValueError, match="another client"):
        client.submit(inc, foreign)
    other.close()


def _held(c) -> int:
    return sum(s["keys_in_memory"] for s in c.worker_stats())


def _poll(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        gc.collect()
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_results_released_when_futures_are_dropped():
    c = ts.Client(n_workers=2, set_as_default=False)
    futures = c.map(lambda i: np.full(100, i), range(8))
    total = c.submit(lambda *parts: int(sum(p.sum() for p in parts)), *futures)
    assert total.result() == 100 * sum(range(8))
    assert _held(c) >= 9
    assert c._native.scheduler_stats()["memory"] >= 9
    del futures
    assert _poll(lambda: _held(c) == 1), c.worker_stats()  # total's result only
    del total
    assert _poll(lambda: _held(c) == 0), c.worker_stats()
    assert _poll(lambda: c._native.scheduler_stats()["memory"] == 0), c._native.scheduler_stats()
    c.close()


def test_upload_file(client, tmp_path):
    module = tmp_path / "tessera_uploaded_helper.py"
    module.write_text("def triple(x):\n    return 3 * x\n")
    client.upload_file(str(module))

    def use(x):
        import tessera_uploaded_helper
        return tessera_uploaded_helper.triple(x)

    assert client.submit(use, 5).result() == 15
    with pytest.raises(FileNotFoundError):
        client.upload_file(str(tmp_path / "missing.py"))


def test_client_compute_and_persist(client):
    host = np.arange(12.0).reshape(3, 4)
    x = ts.asarray(host, chunks=2)
    future = client.compute(x.sum(axis=0))
    np.testing.assert_array_equal(future.result(), host.sum(axis=0))
    values = client.compute([x + 1, ts.delayed(inc)(1)], sync=True)
    np.testing.assert_array_equal(values[0], host + 1)
    assert values[1] == 2
    persisted = client.persist(x * 2)
    np.testing.assert_array_equal(persisted.compute(client=client), host * 2)


def test_context_manager():
    with ts.Client(n_workers=1, set_as_default=False) as c:
        assert c.submit(inc, 1).result() == 2
    assert c._closed


def test_default_client_is_the_latest_open_one():
    from tessera._client import default_client
    before = default_client()
    with ts.Client(n_workers=1) as c:  # set_as_default=True
        assert default_client() is c
        host = np.arange(10.0)
        np.testing.assert_array_equal((ts.asarray(host, chunks=3) * 2).compute(), host * 2)
    assert default_client() is not c
    assert default_client() is before
