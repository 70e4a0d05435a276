"""Independent reads run side by side: a page's figures are several queries."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait

WORKERS = 2  # the development machine's cores


def together(*calls):
    """Run independent reads side by side (two database connections, two cores): each spends
    much of its time in the database or numpy, which let other threads run. Results in the
    order given; the first error is raised."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def started(call, *args) -> Future:
    """`call(*args)` begun in a thread of its own, beside what the caller does next (work
    that releases the GIL: a database statement); its result, or error, from the future."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(call, *args)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its call


def settled(future: Future | None) -> None:
    """Wait until a started call has ended, its result or error left unread: what started it
    failed, and the call must not outlive the failure (holding its data, its error unseen)."""
    if future is not None:
        wait([future])
