"""Redact secrets from evidence before it leaves the scanning machine.

Redaction works on the JSON form of the report and the snapshot, with two rules:

- a string under a key that names a secret (`password`, `client_secret`, `private_key`,
  `connection_string`, `session_token`, `user_data`, ...; `password_enabled` or `kms_key_id` are not
  secrets and are kept);
- a string that looks like a credential wherever it appears (PEM private keys, AWS secret keys in
  `aws_secret_access_key=` form, Azure storage `AccountKey=` / SAS `sig=`, JWTs, GitHub, Slack and
  Google API tokens).

A redacted value becomes the marker `[REDACTED]`; the marker never matches a rule again, so
redaction is idempotent, and the redacted paths can be read back from the files (the manifest lists
them). Verification re-evaluates the redacted snapshot and redacts the result the same way, so a
verdict that would need a redacted value fails the bundle's self-check instead of lying.
"""

from __future__ import annotations

import re
from typing import Any

MARKER = "[REDACTED]"

_SECRET_KEY = re.compile(
    r"^(.*[_-])?("
    r"password|passwd|passphrase|secret|client_secret|secret_access_key|secret_key|private_key|privatekey"
    r"|connection_string|connectionstring|token|access_token|refresh_token|session_token|sas_token|id_token"
    r"|account_key|accountkey|api_key|apikey|primary_key|secondary_key|shared_key|sharedkey|user_data|userdata"
    r"|credentials?|auth_header|authorization"
    r")$",
    re.IGNORECASE,
)
_SECRET_VALUE = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|(?i:aws_secret_access_key)\s*[=:]\s*\S+"
    r"|(?i:AccountKey|SharedAccessKey)=[A-Za-z0-9+/=]{20,}"
    r"|[?&]sig=[A-Za-z0-9%+/=]{20,}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"
    r"|\bxox[abprs]-[A-Za-z0-9-]{10,}"
    r"|\bAIza[0-9A-Za-z_-]{35}"
)


def _split_camel(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key)


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.match(_split_camel(key)))


def redact(value: Any, path: str = "", found: list[str] | None = None) -> Any:
    """A copy of a JSON value with secrets replaced by MARKER; redacted JSON pointers go to `found`."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            child = f"{path}/{_pointer(str(key))}"
            if isinstance(item, str) and item != MARKER and item and is_secret_key(str(key)):
                out[key] = MARKER
                if found is not None:
                    found.append(child)
            else:
                out[key] = redact(item, child, found)
        return out
    if isinstance(value, list):
        return [redact(item, f"{path}/{i}", found) for i, item in enumerate(value)]
    if isinstance(value, str) and value != MARKER and _SECRET_VALUE.search(value):
        if found is not None:
            found.append(path)
        return MARKER
    return value


def redacted_paths(value: Any, path: str = "") -> list[str]:
    """JSON pointers of every value that is the redaction marker (what `redact` replaced)."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in redacted_paths(item, f"{path}/{_pointer(str(key))}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in redacted_paths(item, f"{path}/{i}")]
    return [path] if value == MARKER else []


def _pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


# -- free text (log lines) -------------------------------------------------------------------------
# Debug logs carry request headers, query strings and response bodies (JSON, XML, form-encoded) as text.
# These rules redact the values of secret-named fields in each of those shapes, every value under a
# field known to hold secrets whatever its name (a Lambda function's environment variables), and any
# value shaped like a credential.
SECRET_HEADERS = {
    "authorization", "proxy-authorization", "x-amz-security-token", "x-amz-signature", "x-amz-credential",
    "x-goog-api-key", "ocp-apim-subscription-key", "cookie", "set-cookie", "x-ms-authorization-auxiliary",
}  # fmt: skip
SECRET_CONTAINERS = ("Variables", "environmentVariables", "EnvironmentVariables")
_QUOTED_PAIR = re.compile(r"""(["'])([A-Za-z0-9_.-]{1,80})\1(\s*:\s*b?)(["'])((?:\\.|(?!\4).)*)\4""")
_XML_ELEMENT = re.compile(r"<([A-Za-z][A-Za-z0-9_.-]{0,80})>([^<]*)</\1>")
_KEY_EQUALS = re.compile(r"(?<![A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]{0,80})=([^&\s'\",;?=]+=*)")
_HEADER_LINE = re.compile(r"(?im)^(\s*(?:authorization|proxy-authorization|x-amz-security-token|cookie|set-cookie)\s*:\s*).+$")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_CONTAINER = re.compile(r"""(["'](?:%s)["']\s*:\s*\{)([^{}]*)(\})""" % "|".join(SECRET_CONTAINERS))
_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S)


def _secret_name(name: str) -> bool:
    return name.lower() in SECRET_HEADERS or is_secret_key(name)


def redact_text(text: str) -> str:
    """A log line with secret values replaced by MARKER (see the rules above)."""
    text = _PEM_BLOCK.sub(MARKER, text)
    text = _CONTAINER.sub(lambda m: m.group(1) + _QUOTED_PAIR.sub(_marker_pair, m.group(2)) + m.group(3), text)
    text = _QUOTED_PAIR.sub(lambda m: _marker_pair(m) if _secret_name(m.group(2)) else m.group(0), text)
    text = _XML_ELEMENT.sub(lambda m: f"<{m.group(1)}>{MARKER}</{m.group(1)}>" if _secret_name(m.group(1)) and m.group(2) else m.group(0), text)
    text = _KEY_EQUALS.sub(lambda m: f"{m.group(1)}={MARKER}" if _secret_name(m.group(1)) or m.group(1) in ("sig", "Signature") else m.group(0), text)
    text = _HEADER_LINE.sub(lambda m: m.group(1) + MARKER, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MARKER}", text)
    return _SECRET_VALUE.sub(MARKER, text)


def _marker_pair(m: re.Match) -> str:
    if m.group(5) in ("", MARKER):
        return m.group(0)
    return f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{m.group(4)}{MARKER}{m.group(4)}"
