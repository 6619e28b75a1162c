"""tessera.random: arrays of random numbers from a counter-based generator (Philox).

Element i of an array is the i-th value of the stream its seed picks, so the values do not
depend on the chunking or the number of workers, and a seed gives the same array on every
machine (and on GPUs, with the CUDA backend).
"""
from __future__ import annotations

import itertools
import operator
import os
import threading

import numpy as np

from . import _tessera
from ._array import Array, _wrap


def _size(size) -> tuple[int, ...]:
    if size is None:
        return ()
    if isinstance(size, (tuple, list)):
        return tuple(operator.index(s) for s in size)
    return (operator.index(size),)


class Generator:
    """Draws arrays from successive Philox streams of one seed (as numpy.random.Generator)."""

    def __init__(self, seed: int | None = None):
        self._seed = int.from_bytes(os.urandom(8), "little") if seed is None else int(seed)
        self._draws = itertools.count()
        self._lock = threading.Lock()

    def _next_seed(self) -> int:
        with self._lock:
            draw = next(self._draws)
        # SplitMix64 of (seed, draw): distinct, well-mixed streams for successive draws.
        z = (self._seed + (draw + 1) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def random(self, size=None, dtype="float64", *, chunks="auto") -> Array:
        return self.uniform(0.0, 1.0, size, dtype=dtype, chunks=chunks)

    def uniform(self, low=0.0, high=1.0, size=None, dtype="float64", *, chunks="auto") -> Array:
        return _wrap(_tessera.random_uniform(_size(size), float(low), float(high), self._next_seed(),
                                             np.dtype(dtype).name, chunks))

    def normal(self, loc=0.0, scale=1.0, size=None, dtype="float64", *, chunks="auto") -> Array:
        return _wrap(_tessera.random_normal(_size(size), float(loc), float(scale), self._next_seed(),
                                            np.dtype(dtype).name, chunks))

    def standard_normal(self, size=None, dtype="float64", *, chunks="auto") -> Array:
        return self.normal(0.0, 1.0, size, dtype=dtype, chunks=chunks)

    def integers(self, low, high=None, size=None, dtype="int64", *, chunks="auto") -> Array:
        if high is None:
            low, high = 0, low
        return _wrap(_tessera.random_integers(_size(size), operator.index(low), operator.index(high),
                                              self._next_seed(), np.dtype(dtype).name, chunks))


def default_rng(seed: int | None = None) -> Generator:
    return Generator(seed)


_global = Generator()


def seed(value: int) -> None:
    """Restarts the module-level functions' streams from `value`."""
    global _global
    _global = Generator(value)


class _Seeded(Generator):
    """Every draw from the stream of one given seed: `ts.random.uniform(..., seed=3)` is the
    same array anywhere."""

    def _next_seed(self) -> int:
        return self._seed


def _source(seed: int | None) -> Generator:
    return _global if seed is None else _Seeded(seed)


def random(size=None, dtype="float64", *, chunks="auto", seed: int | None = None) -> Array:
    """Uniform values in [0, 1); with `seed`, exactly the array that seed gives anywhere."""
    return _source(seed).random(size, dtype, chunks=chunks)


def uniform(low=0.0, high=1.0, size=None, dtype="float64", *, chunks="auto", seed: int | None = None) -> Array:
    return _source(seed).uniform(low, high, size, dtype, chunks=chunks)


def normal(loc=0.0, scale=1.0, size=None, dtype="float64", *, chunks="auto", seed: int | None = None) -> Array:
    return _source(seed).normal(loc, scale, size, dtype, chunks=chunks)


def integers(low, high=None, size=None, dtype="int64", *, chunks="auto", seed: int | None = None) -> Array:
    return _source(seed).integers(low, high, size, dtype, chunks=chunks)
