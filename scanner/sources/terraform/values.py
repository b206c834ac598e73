"""Values of the Terraform language as the evaluator sees them, and the unknowns among them.

Known values are plain Python values (None, bool, int/float, str, list, dict). What Terraform
cannot know before apply, or what rests on a variable with no value, is an `Unknown` carrying why;
it spreads through every operation that touches it. `Computed` is the unknown attribute of a
resource the configuration declares (`aws_kms_key.logs.arn`): it remembers the resource, so an
adapter can still tell which key a bucket names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unknown:
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return "; ".join(self.reasons)

    def __bool__(self) -> bool:  # never let an unknown read as false (or true) by accident
        raise TypeError("an Unknown value has no truth value")


@dataclass(frozen=True)
class Computed(Unknown):
    """An attribute of a declared resource that only apply will know (an ARN, an id)."""

    address: str = ""
    attribute: str = ""


def unknown(*reasons: str) -> Unknown:
    return Unknown(tuple(dict.fromkeys(r for r in reasons if r)))


def merge_unknowns(values: list[Any]) -> Unknown:
    reasons: list[str] = []
    for value in values:
        if isinstance(value, Unknown):
            reasons.extend(value.reasons)
    return Unknown(tuple(dict.fromkeys(reasons)))


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def first_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        for item in value.values():
            found = first_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = first_unknown(item)
            if found is not None:
                return found
    return None


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def to_string(value: Any) -> str:
    """Terraform's string conversion of a primitive (for interpolation)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    raise EvaluationError(f"cannot use a {type_name(value)} value in a string template")


class EvaluationError(Exception):
    """An expression Terraform itself would reject (wrong type, missing attribute...)."""
