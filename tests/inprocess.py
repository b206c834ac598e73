"""Run the `trustscan` command in this process (`main(argv)`), capturing its exit status, stdout and stderr.

Much faster than a subprocess per case; use it where a test needs many invocations (the fuzz, the
one-line error tests). Tests of signals, imports and the installed entry point still use subprocesses.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

from scanner.cli.main import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
        else:  # pragma: no cover - main always exits
            code = 0
    return code, out.getvalue(), err.getvalue()


def one_error_line(result: tuple[int, str, str]) -> str:
    """The single `trustscan: error:` line of an exit-2 result (asserting there is exactly one line)."""
    code, _, err = result
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trustscan: error: "), err
    return lines[0]
