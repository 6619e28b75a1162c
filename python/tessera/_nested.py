"""Walking the containers arguments are nested in (lists, tuples, sets, dict values): how
futures, delayed objects and arrays inside arguments are found and replaced."""
from __future__ import annotations

from typing import Any, Callable, Iterator

_SEQUENCES = (list, tuple, set, frozenset)


def leaves(obj: Any, kinds: type | tuple) -> Iterator[Any]:
    """The objects of `kinds` inside obj, depth first, in order (not looking inside them)."""
    if isinstance(obj, kinds):
        yield obj
    elif type(obj) in _SEQUENCES:
        for item in obj:
            yield from leaves(item, kinds)
    elif type(obj) is dict:
        for item in obj.values():
            yield from leaves(item, kinds)


def rebuild(obj: Any, kinds: type | tuple, value_of: Callable[[Any], Any]) -> Any:
    """obj with every object of `kinds` inside it replaced by value_of(object)."""
    if isinstance(obj, kinds):
        return value_of(obj)
    kind = type(obj)
    if kind in _SEQUENCES:
        return kind(rebuild(item, kinds, value_of) for item in obj)
    if kind is dict:
        return {k: rebuild(v, kinds, value_of) for k, v in obj.items()}
    return obj
