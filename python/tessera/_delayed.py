"""delayed: lazy Python function calls that run as tasks, composable with arrays.

A Delayed is a call not made yet; its arguments may hold other Delayed objects (which
become dependencies) and tessera arrays (computed together in one graph first, and passed
to the function as NumPy arrays). compute() submits the calls level by level, each level
as one batch, and gathers the results.
"""
from __future__ import annotations

import operator
from typing import Any, Callable

from ._array import Array


class Delayed:
    """A value that a task will compute: the call fn(*args, **kwargs)."""

    __slots__ = ("_fn", "_args", "_kwargs", "_name", "_nout")

    def __init__(self, fn: Callable, args: tuple, kwargs: dict, name: str, nout: int | None = None):
        self._fn, self._args, self._kwargs, self._name, self._nout = fn, args, kwargs, name, nout

    def compute(self, client=None) -> Any:
        return compute(self, client=client)[0]

    def persist(self, client=None) -> "Delayed":
        from ._client import default_client
        client = client or default_client()
        value = client.gather(compute_as_futures(client, [self])[0])
        return Delayed(_identity, (value,), {}, self._name)

    def __repr__(self) -> str:
        return f"Delayed({self._name!r})"

    def __iter__(self):
        if self._nout is None:
            raise TypeError("a Delayed of unknown length cannot be iterated; pass nout= to delayed")
        return iter(self[i] for i in range(self._nout))

    def __len__(self) -> int:
        if self._nout is None:
            raise TypeError("a Delayed of unknown length has no len(); pass nout= to delayed")
        return self._nout

    def __getattr__(self, attribute: str) -> "Delayed":
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return Delayed(getattr, (self, attribute), {}, f"getattr-{attribute}")

    def __call__(self, *args, **kwargs) -> "Delayed":
        return Delayed(_call, (self, args, kwargs), {}, f"{self._name}-call")

    def __getitem__(self, index) -> "Delayed":
        return Delayed(operator.getitem, (self, index), {}, "getitem")

    def __bool__(self):
        raise TypeError("the truth value of a Delayed is not known until it is computed")


def _identity(value):
    return value


def _call(fn, args, kwargs):
    return fn(*args, **kwargs)


def _operator(op: Callable, reflected: bool = False):
    def method(self, other):
        operands = (other, self) if reflected else (self, other)
        return Delayed(op, operands, {}, op.__name__)

    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor", "matmul",
              "lt", "le", "gt", "ge", "eq", "ne"):
    _op = getattr(operator, f"{_name}_" if _name in ("and", "or") else _name)
    setattr(Delayed, f"__{_name}__", _operator(_op))
    if _name not in ("lt", "le", "gt", "ge", "eq", "ne"):
        setattr(Delayed, f"__r{_name}__", _operator(_op, reflected=True))
Delayed.__neg__ = lambda self: Delayed(operator.neg, (self,), {}, "neg")
Delayed.__hash__ = object.__hash__


class DelayedFunction:
    """A function whose calls are Delayed."""

    def __init__(self, fn: Callable, name: str | None, nout: int | None):
        self._fn, self._name, self._nout = fn, name or getattr(fn, "__name__", "delayed"), nout
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__wrapped__ = fn

    def __call__(self, *args, **kwargs) -> Delayed:
        nout = kwargs.pop("dask_nout", self._nout)
        return Delayed(self._fn, args, kwargs, self._name, nout)

    def __repr__(self) -> str:
        return f"delayed({self._name})"


def delayed(obj=None, *, name: str | None = None, pure: bool | None = None, nout: int | None = None,
            traverse: bool = True):
    """Wraps a function so that calling it builds a task (usable as @ts.delayed or
    @ts.delayed(name=...)), or a value so that it can enter delayed computations."""
    del pure, traverse
    if obj is None:
        return lambda fn: delayed(fn, name=name, nout=nout)
    if isinstance(obj, (Delayed, DelayedFunction)):
        return obj
    if callable(obj) and not isinstance(obj, Array):
        return DelayedFunction(obj, name, nout)
    return Delayed(_identity, (obj,), {}, name or type(obj).__name__)


# ---- evaluation ----

def _children(obj: Any, delayed_found: list, arrays_found: list) -> None:
    """The Delayed objects and arrays directly inside obj (not inside other Delayed)."""
    if isinstance(obj, Delayed):
        delayed_found.append(obj)
    elif isinstance(obj, Array):
        arrays_found.append(obj)
    elif type(obj) in (list, tuple, set, frozenset):
        for item in obj:
            _children(item, delayed_found, arrays_found)
    elif type(obj) is dict:
        for item in obj.values():
            _children(item, delayed_found, arrays_found)


def _replace(obj: Any, values: dict) -> Any:
    if isinstance(obj, (Delayed, Array)):
        return values[id(obj)]
    kind = type(obj)
    if kind in (list, tuple, set, frozenset):
        return kind(_replace(item, values) for item in obj)
    if kind is dict:
        return {k: _replace(v, values) for k, v in obj.items()}
    return obj


def compute_as_futures(client, items: list) -> list:
    """One future per item: Delayed objects and arrays run as tasks; other values scattered."""
    from ._array_compute import compute_arrays
    from ._client import Future

    order: list[Delayed] = []      # every Delayed reached, dependencies first
    depth: dict[int, int] = {}
    arrays: dict[int, Array] = {}
    direct: dict[int, tuple[list, list]] = {}

    def visit(node: Delayed) -> int:
        if id(node) in depth:
            return depth[id(node)]
        stack = [(node, False)]
        while stack:
            current, expanded = stack.pop()
            if id(current) in depth:
                continue
            if id(current) not in direct:
                found_delayed: list = []
                found_arrays: list = []
                _children((current._args, current._kwargs), found_delayed, found_arrays)
                direct[id(current)] = (found_delayed, found_arrays)
            children, found_arrays = direct[id(current)]
            if not expanded:
                stack.append((current, True))
                stack.extend((child, False) for child in children if id(child) not in depth)
                continue
            for a in found_arrays:
                arrays[id(a)] = a
            depth[id(current)] = 1 + max((depth[id(c)] for c in children), default=0)
            order.append(current)
        return depth[id(node)]

    for item in items:
        if isinstance(item, Delayed):
            visit(item)
        elif isinstance(item, Array):
            arrays[id(item)] = item

    futures: dict[int, Future] = {}
    if arrays:
        values = compute_arrays(list(arrays.values()), client)
        scattered = client.scatter(values)
        futures.update(zip(arrays.keys(), scattered))

    by_level: dict[int, list[Delayed]] = {}
    for node in order:
        by_level.setdefault(depth[id(node)], []).append(node)
    for level in sorted(by_level):
        nodes = by_level[level]
        tasks = []
        for node in nodes:
            children, found_arrays = direct[id(node)]
            dependencies = {id(d): futures[id(d)] for d in children}
            dependencies.update((id(a), futures[id(a)]) for a in found_arrays)
            tasks.append(_delayed_task(node, dependencies))
        names = {node._name for node in nodes}
        name = nodes[0]._name if len(names) == 1 else "delayed"
        natives = client._native.submit(tasks, name)
        for node, native in zip(nodes, natives):
            futures[id(node)] = Future(native, client)

    out = []
    for item in items:
        if isinstance(item, (Delayed, Array)):
            out.append(futures[id(item)])
        else:
            out.append(client.scatter(item))
    return out


def _delayed_task(node: Delayed, dependencies: dict):
    keys = list(dependencies.keys())
    fn, args, kwargs = node._fn, node._args, node._kwargs

    def call(values):
        resolved = dict(zip(keys, values))
        return fn(*_replace(args, resolved), **_replace(kwargs, resolved))

    return call, [dependencies[k]._native for k in keys]


def compute(*args, client=None, **kwargs) -> tuple:
    """Computes arrays and delayed objects together (arrays in one shared graph); other
    arguments come back unchanged."""
    from ._array_compute import compute_arrays
    from ._client import default_client
    del kwargs  # dask's scheduler= and friends: one runtime here
    client = client or default_client()
    if all(isinstance(a, Array) or not isinstance(a, Delayed) for a in args):
        arrays = [a for a in args if isinstance(a, Array)]
        values = iter(compute_arrays(arrays, client)) if arrays else iter(())
        return tuple(next(values) if isinstance(a, Array) else a for a in args)
    futures = compute_as_futures(client, list(args))
    return tuple(client.gather(futures))
