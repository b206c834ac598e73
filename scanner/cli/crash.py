"""The last handler: an unexpected exception is a crash, not a finding.

Exit status 1 means "FAIL findings", so a crash must not exit 1 or a CI gate could not tell the two
apart. `report_crash` prints one line naming the error and where the full traceback went (a file in
the temporary directory; on stderr too with -v), and returns EXIT_CRASH (4). A missing optional
dependency (the base install has no Azure or GCP SDK) is not a crash: `missing_extra` turns it into
the pip command that installs it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback

import click

from scanner import __version__

EXIT_CRASH = 4
ISSUES_URL = "https://github.com/trustscan/trustscan/issues"

# top-level module -> the extra that installs it
EXTRA_FOR_MODULE = {
    "azure": "azure",
    "msal": "azure",
    "google": "gcp",
    "googleapiclient": "gcp",
    "google_auth_httplib2": "gcp",
    "httplib2": "gcp",
    "moto": "demo",
    "trustme": "demo",
    "werkzeug": "demo",
    "flask": "demo",
}
EXTRA_PURPOSE = {"azure": "Azure support", "gcp": "GCP support", "demo": "The demo"}


def missing_extra(exc: ImportError) -> str | None:
    """The one-line message for an import that an extra would satisfy, else None."""
    name = (getattr(exc, "name", None) or "").split(".")[0]
    extra = EXTRA_FOR_MODULE.get(name)
    if extra is None:
        return None
    return f"{EXTRA_PURPOSE[extra]} needs its extra: pip install 'trustscan[{extra}]' ({exc.name} is not installed)"


def verbose_requested(argv: list[str]) -> bool:
    for arg in argv:
        if arg == "--":
            break
        if arg == "--verbose" or (arg.startswith("-v") and set(arg[1:]) == {"v"}):
            return True
    return False


def report_crash(exc: BaseException, argv: list[str]) -> int:
    """Say what broke in one line, keep the traceback, return the crash exit status."""
    from scanner.evidence.redact import redact_text

    text = redact_text("".join(traceback.format_exception(exc)))  # a message may quote a token or a secret value
    where = _save(text, argv)
    if verbose_requested(argv):
        click.echo(text.rstrip(), err=True)
    summary = redact_text(" ".join(str(exc).split()))[:200] or "(no message)"
    saved = f"traceback in {where}" if where else "traceback not saved; rerun with -v to see it"
    click.echo(
        f"trustscan: internal error: {type(exc).__name__}: {summary} ({saved}; please report it at {ISSUES_URL})", err=True
    )
    return EXIT_CRASH


def _save(text: str, argv: list[str]) -> str | None:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    try:
        handle, path = tempfile.mkstemp(prefix=f"trustscan-crash-{stamp}-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(f"trustscan {__version__}, Python {sys.version.split()[0]} on {sys.platform}\n")
            out.write(f"command: trustscan {' '.join(argv)}\n\n{text}")
        return path
    except OSError:
        return None

