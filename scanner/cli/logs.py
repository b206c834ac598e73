"""Logging for the CLI: levels from -v, botocore's wire log only when asked for by name, secrets redacted.

-v logs every collection that failed and why; -vv adds trustscan's debug output. The SDKs' own debug
logs (botocore prints every request's headers and every response body: session tokens, a Lambda
function's environment variables) stay at WARNING unless TRUSTSCAN_DEBUG_HTTP=1 asks for them. Either
way every record passes a filter that redacts tokens, authorization headers and secret-bearing fields
(scanner.evidence.redact.redact_text) before it is written.
"""

from __future__ import annotations

import logging
import os
import sys

DEBUG_HTTP_ENV = "TRUSTSCAN_DEBUG_HTTP"
SDK_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3", "azure", "msal", "google", "googleapiclient", "httplib2", "werkzeug")


class RedactSecrets(logging.Filter):
    """Rewrite each record's message (and traceback) with secrets redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        from scanner.evidence.redact import redact_text

        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a record whose arguments do not format is logged as its template
            message = str(record.msg)
        record.msg, record.args = redact_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


def debug_http_requested() -> bool:
    return os.environ.get(DEBUG_HTTP_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def configure(verbose: int) -> None:
    level = logging.ERROR if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("trustscan: %(levelname)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
    logging.getLogger("trustscan").setLevel(level)
    wire = verbose >= 2 and debug_http_requested()
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if wire else logging.WARNING if verbose >= 2 else logging.ERROR)
