"""Shared facts for the network-exposure checks of every provider: what "the internet" is as a
source, and how the administration ports are named in messages."""

from __future__ import annotations

from collections.abc import Iterable

INTERNET_RANGES = ("0.0.0.0/0", "::/0")
ADMIN_PORTS = [22, 3389]
ALL_PORTS = (0, 65535)
PORT_NAMES = {22: "SSH", 3389: "RDP", 5985: "WinRM", 5986: "WinRM over TLS"}


def port_label(port: int) -> str:
    return f"{port} ({PORT_NAMES[port]})" if port in PORT_NAMES else str(port)


_INTERNET = frozenset(INTERNET_RANGES)


def internet_sources(ranges: Iterable[str]) -> list[str]:
    """The given source ranges that mean "any address on the internet"."""
    return sorted(_INTERNET.intersection(r.strip() for r in ranges))


def parse_port_range(text: str) -> tuple[int, int] | None:
    """ "22" -> (22, 22); "8000-8080" -> (8000, 8080); anything else -> None."""
    low, _, high = text.strip().partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        return None

