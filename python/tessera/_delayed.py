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
from ._nested import leaves, rebuild


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

def compute_as_futures(client, items: list) -> list:
    """One future per item: Delayed objects and arrays run as tasks; other values scattered."""
    from ._array_compute import compute_arrays
    from ._client import Future, _task

    order: list[Delayed] = []      # every Delayed reached, dependencies first
    depth: dict[int, int] = {}
    arrays: dict[int, Array] = {}
    children: dict[int, list] = {}  # the Delayed directly among a node's arguments

    def visit(node: Delayed) -> None:
        stack = [(node, False)]
        while stack:
            current, expanded = stack.pop()
            if id(current) in depth:
                continue
            if id(current) not in children:
                inside = list(leaves((current._args, current._kwargs), (Delayed, Array)))
                children[id(current)] = [d for d in inside if isinstance(d, Delayed)]
                arrays.update((id(a), a) for a in inside if isinstance(a, Array))
            if not expanded:
                stack.append((current, True))
                stack.extend((child, False) for child in children[id(current)] if id(child) not in depth)
                continue
            depth[id(current)] = 1 + max((depth[id(c)] for c in children[id(current)]), default=0)
            order.append(current)

    for item in items:
        if isinstance(item, Delayed):
            visit(item)
        elif isinstance(item, Array):
            arrays[id(item)] = item

    futures: dict = {}  # id of a Delayed or an array: its Future
    if arrays:
        values = compute_arrays(list(arrays.values()), client)
        scattered = client.scatter(values)
        futures.update(zip(arrays.keys(), scattered))

    by_level: dict[int, list[Delayed]] = {}
    for node in order:
        by_level.setdefault(depth[id(node)], []).append(node)
    for level in sorted(by_level):
        nodes = by_level[level]
        # A node is the client task of its call with futures in place of what it depends on.
        tasks = [_task(node._fn, *rebuild((node._args, node._kwargs), (Delayed, Array), lambda d: futures[id(d)]),
                       client) for node in nodes]
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
