"""One bounded thread pool for a run, with a fan-out helper that cannot deadlock.

Collection units run on the pool, and a unit may fan out per-resource calls (one getter per bucket)
onto the same pool. If a waiting unit only waited, a pool full of waiting units would deadlock; so
the caller keeps taking items itself while pool workers help, and only waits for items already in
flight on other threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


class ScanCancelled(Exception):
    """The scan was interrupted: no new work or API call is started."""


class WorkPool:
    def __init__(self, max_workers: int) -> None:
        self.max_workers = max(1, max_workers)
        self.executor = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="trustscan")
        self.cancelled = threading.Event()  # set by cancel(); API layers check it before each call

    def cancel(self) -> None:
        """Stop the scan's work: drop what has not started, stop fan-outs, refuse new API calls."""
        self.cancelled.set()
        self.executor.shutdown(wait=False, cancel_futures=True)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Apply fn to every item, in parallel where workers are free; results keep input order.

        The first exception raised by fn is re-raised after every started item has finished.
        """
        work = list(items)
        if len(work) <= 1:
            return [fn(item) for item in work]
        results: list[R | None] = [None] * len(work)
        errors: list[BaseException] = []
        lock = threading.Lock()
        next_index = 0
        done = threading.Semaphore(0)

        def drain() -> None:
            nonlocal next_index
            while True:
                with lock:
                    if next_index >= len(work) or errors or self.cancelled.is_set():
                        return
                    index = next_index
                    next_index += 1
                try:
                    results[index] = fn(work[index])
                except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
                    with lock:
                        errors.append(exc)
                finally:
                    done.release()

        for _ in range(min(self.max_workers, len(work) - 1)):
            try:
                self.executor.submit(drain)
            except RuntimeError:  # the pool is shutting down (interrupted scan): work inline
                break
        drain()
        # Every index handed out releases the semaphore once; count what was handed out.
        for _ in range(next_index):
            done.acquire()
        if errors:
            raise errors[0]
        if next_index < len(work):
            raise ScanCancelled("scan interrupted")
        return results  # type: ignore[return-value]

    def shutdown(self, wait: bool = True) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=True)
