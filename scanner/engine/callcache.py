"""One call cache per run, shared by every provider's API layer.

The first caller of a given call fetches; concurrent callers of the same call wait for it; all of
them get the same value, or the same exception, so a failure is classified once and identically.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class CallCache:
    def __init__(self, cancelled: threading.Event | None = None) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._cancelled = cancelled  # the pool's: once set, no new call is made

    def get(self, parts: tuple, fetch: Callable[[], T]) -> T:
        """The memoised result of `fetch` for the call described by `parts` (JSON-able)."""
        if self._cancelled is not None and self._cancelled.is_set():
            from scanner.engine.pool import ScanCancelled

            raise ScanCancelled("scan interrupted: call not made")
        key = json.dumps(parts, sort_keys=True, default=str)
        with self._lock:
            entry = self._entries.get(key)
            owner = entry is None
            if owner:
                entry = self._entries[key] = _Entry()
        assert entry is not None
        if owner:
            try:
                entry.value = fetch()
            except BaseException as exc:  # noqa: BLE001 - every waiter sees the same failure
                entry.error = exc
            finally:
                entry.ready.set()
        else:
            entry.ready.wait()
        if entry.error is not None:
            raise entry.error
        return entry.value


class _Entry:
    __slots__ = ("ready", "value", "error")

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
