"""The timing the comparison scripts share (imported from their own folder: they are run
as `python bench/<script>.py`)."""
import time


def best(run, repeat, warm_up=True):
    """The least of `repeat` timed calls of `run`, in seconds; after one untimed call with
    `warm_up` (kernels compiled, pools and caches filled)."""
    if warm_up:
        run()
    fastest = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest
