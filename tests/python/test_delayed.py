"""delayed (tessera/_delayed.py): lazy Python calls run as tasks; the values are those of the
plain Python calls, each call runs once however often its result is used, arrays reach the
functions as NumPy arrays, and errors come back as raised."""
from __future__ import annotations

import collections
import threading

import numpy as np
import pytest

import tessera as ts


class CallCounter:
    """Counts calls per argument, from any worker thread."""

    def __init__(self):
        self.calls = collections.Counter()
        self._lock = threading.Lock()

    def record(self, key):
        with self._lock:
            self.calls[key] += 1


@pytest.fixture
def counter():
    return CallCounter()


def test_delayed_function(counter):
    @ts.delayed
    def inc(x):
        counter.record(("inc", x))
        return x + 1

    @ts.delayed
    def add(x, y):
        return x + y

    result = add(inc(1), inc(10))
    assert isinstance(result, ts.Delayed)
    assert counter.calls == {}  # nothing ran yet
    assert result.compute() == 13
    assert counter.calls == {("inc", 1): 1, ("inc", 10): 1}


def test_delayed_with_options():
    f = ts.delayed(name="custom")(lambda: 42)
    assert f().compute() == 42
    assert ts.delayed(sorted)([3, 1, 2], reverse=True).compute() == [3, 2, 1]
    wrapped = ts.delayed(max)
    assert ts.delayed(wrapped) is wrapped


def test_delayed_values():
    assert ts.delayed(5).compute() == 5
    assert ts.delayed([1, 2, 3]).compute() == [1, 2, 3]
    np.testing.assert_array_equal(ts.delayed(np.arange(4)).compute(), np.arange(4))


def test_operators_on_delayed():
    x, y = ts.delayed(7), ts.delayed(2)
    cases = [
        (x + y, 9), (x - y, 5), (x * y, 14), (x / y, 3.5), (x // y, 3), (x % y, 1), (x ** y, 49),
        (x + 1, 8), (1 + x, 8), (10 - x, 3), (3 * y, 6), (1 / y, 0.5), (2 ** y, 4), (-x, -7),
        (x & 3, 3), (x | 8, 15), (x ^ y, 5), (x < y, False), (x >= 7, True), (x == 7, True), (x != y, True),
    ]
    for delayed_value, expected in cases:
        assert isinstance(delayed_value, ts.Delayed)
        assert delayed_value.compute() == expected


def test_attribute_item_and_call_on_delayed():
    d = ts.delayed(np.arange)(6)
    assert d.sum().compute() == 15
    assert d.shape.compute() == (6,)
    assert d[2].compute() == 2
    assert ts.delayed({"k": [1, 2]})["k"][1].compute() == 2
    quotient, remainder = ts.delayed(divmod, nout=2)(17, 5)
    assert (quotient.compute(), remainder.compute()) == (3, 2)
    with pytest.raises(TypeError):
        iter(ts.delayed(divmod)(1, 2))
    with pytest.raises(TypeError):
        bool(ts.delayed(1))


def test_nested_dependencies_in_containers(counter):
    @ts.delayed
    def square(x):
        counter.record(x)
        return x * x

    @ts.delayed
    def combine(items, mapping, pair):
        return sum(items) + mapping["a"] + mapping["b"][0] + pair[0] * pair[1]

    a, b = square(2), square(3)
    result = combine([a, b, 1], {"a": a, "b": [b]}, (a, square(a)))
    # 4 + 9 + 1 + 4 + 9 + 4 * 16
    assert result.compute() == 4 + 9 + 1 + 4 + 9 + 4 * 16
    assert counter.calls == {2: 1, 3: 1, 4: 1}


def test_shared_sub_graph_runs_once(counter):
    @ts.delayed
    def load(x):
        counter.record(("load", x))
        return list(range(x))

    @ts.delayed
    def total(values):
        counter.record("total")
        return sum(values)

    data = load(5)
    s = total(data)
    results = [ts.delayed(lambda v, t: len(v) + t)(data, s) for _ in range(4)]
    values = ts.compute(*results)
    assert values == (15, 15, 15, 15)
    assert counter.calls[("load", 5)] == 1
    assert counter.calls["total"] == 1


def test_diamond_runs_once(counter):
    @ts.delayed
    def node(name, *parents):
        counter.record(name)
        return name + "".join(parents)

    root = node("r")
    left, right = node("L", root), node("R", root)
    top = node("T", left, right)
    assert top.compute() == "TLrRr"
    assert counter.calls == {"r": 1, "L": 1, "R": 1, "T": 1}


def test_deep_chain():
    value = ts.delayed(0)
    for _ in range(300):
        value = value + 1
    assert value.compute() == 300


def test_compute_several_delayed_and_arrays():
    host = np.arange(12.0).reshape(3, 4)
    x = ts.asarray(host, chunks=2)
    d = ts.delayed(lambda v: v * 2)(21)
    out = ts.compute(d, x.sum(axis=0), "plain", x + 1)
    assert out[0] == 42
    np.testing.assert_array_equal(out[1], host.sum(axis=0))
    assert out[2] == "plain"
    np.testing.assert_array_equal(out[3], host + 1)
    arrays_only = ts.compute(x.max(), x.min())
    assert arrays_only == (11.0, 0.0)


def test_delayed_receives_numpy_arrays():
    host = np.arange(6.0).reshape(2, 3)
    x = ts.asarray(host, chunks=(1, 2))
    seen = []

    def inspect(v, w):
        seen.append((type(v), type(w), type(w[0])))
        return v.sum() + w[0].sum()

    result = ts.delayed(inspect)(x * 2, [x]).compute()
    assert result == (host * 2).sum() + host.sum()
    assert seen == [(np.ndarray, list, np.ndarray)]


def test_persist():
    calls = CallCounter()

    def once():
        calls.record("once")
        return 10

    persisted = ts.delayed(once)().persist()
    assert calls.calls["once"] == 1
    assert (persisted + 1).compute() == 11
    assert (persisted * 2).compute() == 20
    assert calls.calls["once"] == 1


def test_errors_propagate():
    @ts.delayed
    def fail(x):
        raise ValueError(f"cannot use {x}")

    @ts.delayed
    def after(x):
        return x

    with pytest.raises(ValueError, match="cannot use 3"):
        fail(3).compute()
    with pytest.raises(ValueError, match="cannot use 4"):
        after(after(fail(4))).compute()
    with pytest.raises(ZeroDivisionError):
        (ts.delayed(1) / 0).compute()


def test_compute_with_an_explicit_client():
    client = ts.Client(n_workers=2, set_as_default=False)
    d = ts.delayed(sum)([ts.delayed(1), ts.delayed(2)])
    assert d.compute(client=client) == 3
    assert ts.compute(d, client=client) == (3,)
    assert client.compute(d, sync=True) == 3
    assert client.compute(d).result() == 3
    client.close()
