"""Reading resource policies (S3 bucket policies, KMS key policies) for grants to everyone."""

from __future__ import annotations

from typing import Any

# Condition keys that pin a wildcard principal down to known accounts, organisations, networks or
# services; a statement restricted by one of them is not a grant to the world.
RESTRICTING_CONDITION_KEYS = {
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalservicename",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
}


def statements(policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    found = (policy or {}).get("Statement", [])
    return [found] if isinstance(found, dict) else [s for s in found if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_wildcard_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in as_list(principal.get("AWS")) or "*" in as_list(principal.get("CanonicalUser"))
    return False


def is_restricted(condition: dict[str, Any] | None) -> bool:
    """Whether a Condition block limits the statement to identified callers (not just, say, TLS)."""
    for operator, keys in (condition or {}).items():
        if not isinstance(keys, dict) or operator.lower().startswith("null"):
            continue
        if any(key.lower() in RESTRICTING_CONDITION_KEYS for key in keys):
            return True
    return False


def public_statements(policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Allow statements whose principal is everyone and whose conditions do not restrict the caller."""
    return [
        s
        for s in statements(policy)
        if s.get("Effect") == "Allow"
        and (is_wildcard_principal(s.get("Principal")) or "NotPrincipal" in s)
        and not is_restricted(s.get("Condition"))
    ]


def describe(statement: dict[str, Any]) -> str:
    sid = statement.get("Sid")
    actions = ", ".join(str(a) for a in as_list(statement.get("Action") or statement.get("NotAction")))
    return f"{'Sid ' + sid + ': ' if sid else ''}Allow {actions or '(no action)'} to Principal *"
