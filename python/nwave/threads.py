"""The `threads=` argument of Model's whole-signal calls: checked as the C API checks it, and a batch's items run on
a pool of that many Python threads (each call into the library releases the GIL, so they run in parallel)."""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .arrays import bad_argument

MAX_THREADS = 256  # nwave.h: `threads` is 1 to 256, or 0 for every core


def thread_count(threads):
    """threads as the C API's `_threads` calls take it (0 stays 0: the library counts the cores); an Error for
    anything but an integer from 0 to MAX_THREADS, for a batch as well as for one signal."""
    if not isinstance(threads, (int, np.integer)) or isinstance(threads, bool) or not 0 <= threads <= MAX_THREADS:
        raise bad_argument(f"threads must be 1 to {MAX_THREADS}, or 0 for every core (got {threads!r})")
    return int(threads)


def map_batch(function, items, threads):
    """[function(item) for item in items], on a pool of `threads` workers (0: one per core, as os.cpu_count() says),
    results in input order; the first failure, in input order, is raised."""
    workers = thread_count(threads) or min(os.cpu_count() or 1, MAX_THREADS)
    workers = min(workers, len(items))
    if workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))
