"""Ctrl-C and SIGTERM: the first stops the scan, the second stops the process.

The first signal raises KeyboardInterrupt in the main thread. The engine then cancels the work pool
(nothing new starts: queued units are dropped, fan-outs stop handing out items, API layers refuse new
calls and botocore is refused the next attempt of a call being retried), keeps what was gathered,
and the command writes its outputs. `main()` then ends the process with os._exit: worker threads
still blocked in a slow request (or sleeping before a retry) are not joined, which is what kept an
interrupted scan alive for seconds. A second signal exits at once, with one line and no traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

EXIT_INTERRUPTED = 130
_signals_seen = 0
_previous: dict[int, Any] = {}


def _handler(signum: int, frame: Any) -> None:
    global _signals_seen
    _signals_seen += 1
    if _signals_seen > 1:
        os.write(2, b"trustscan: interrupted again: exiting without writing outputs\n")
        os._exit(EXIT_INTERRUPTED)
    raise KeyboardInterrupt


def install() -> None:
    """Handle SIGINT and SIGTERM for the rest of this command (main() restores the previous handlers)."""
    for name in ("SIGINT", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            _previous.setdefault(signum, signal.signal(signum, _handler))
        except ValueError:  # not the main thread (embedded use)
            return


def interrupted() -> bool:
    return _signals_seen > 0


def restore() -> None:
    """Put back the handlers install() replaced, and forget the signals seen (in-process reuse, tests)."""
    global _signals_seen
    for signum, previous in _previous.items():
        try:
            signal.signal(signum, previous)
        except (ValueError, TypeError):
            pass
    _previous.clear()
    _signals_seen = 0


def exit_now(code: int) -> None:
    """After an interrupted scan: flush what was printed and leave without joining worker threads."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
