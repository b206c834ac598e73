"""Small wording helpers for messages people read: counts with the right plural."""

from __future__ import annotations


def count(n: float, unit: str, plural: str | None = None) -> str:
    """`1 day`, `2 days`, `1.5 days`, `0 findings` (whole floats print without `.0`)."""
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    shown = f"{n:g}" if isinstance(n, float) else str(n)
    return f"{shown} {unit if n == 1 else (plural or unit + 's')}"
