"""Which regions a run scans: the names checked against botocore's endpoint data for the partition,
and their opt-in state against ec2:DescribeRegions, before anything is collected.

A mistyped region (`eu-wset-1`) would otherwise be scanned as "nothing there": every regional check
NOT_APPLICABLE and exit 0, a green run that proved nothing. A region the account has not enabled
answers every call with an auth error. Both stop the run unless the user asked for `all`, which
means "every region enabled for this account".
"""

from __future__ import annotations

import difflib
import threading
from typing import Any

from scanner.errors import ConfigurationError

PARTITIONS = ("aws", "aws-us-gov", "aws-cn", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
NOT_ENABLED = "not-opted-in"


# partition (None: any) -> region names, read once per process: botocore's endpoint data is static,
# and every member account of an organization scan checks its regions
_KNOWN: dict[str | None, frozenset[str]] = {}
_KNOWN_LOCK = threading.Lock()


def known_regions(partition: str | None = None, session: Any = None) -> set[str]:
    """Region names botocore's endpoint data knows (in one partition, or in any).

    The names are the partitions' own region lists (EC2's endpoints name the same ones): no service
    model is read (session.get_available_regions reads the whole EC2 model, ~2 MB of JSON, only for
    its endpoint prefix). `session`: the run's botocore session, whose loader has already parsed the
    endpoint data for its first client (a fresh session would parse that ~1 MB file again)."""
    with _KNOWN_LOCK:
        if partition not in _KNOWN:
            if session is None:
                import botocore.session

                session = botocore.session.get_session()
            data = session.get_component("data_loader").load_data("endpoints")
            _KNOWN[partition] = frozenset(
                name
                for entry in data.get("partitions", [])
                if partition is None or entry.get("partition") == partition
                for name in entry.get("regions", {})
            )
        return set(_KNOWN[partition])


def check_region_names(
    names: list[str], partition: str | None = None, also_known: set[str] | None = None, session: Any = None
) -> None:
    """Every name is a region of the partition (any partition when None); else one line with a suggestion."""
    known = known_regions(partition, session) | (also_known or set())
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            where = f" in the {partition} partition" if partition else ""
            hint = f" (did you mean {close[0]}?)" if close else " (see `aws ec2 describe-regions`)"
            raise ConfigurationError(f"unknown region {name!r:.40}{where}{hint}")


def parse_regions(value: str | None) -> list[str] | None:
    """`--regions` text: None for all (the default), else the names; an empty list is an error."""
    wanted = (value if value is not None else "all").strip()
    if wanted.lower() == "all":
        return None
    names = sorted({part.strip() for part in wanted.split(",") if part.strip()})
    if not names:
        raise ConfigurationError("--regions names no region (give r1,r2 or all)")
    return names


def describe_regions(api: Any, region: str) -> dict[str, str] | str:
    """Region name -> OptInStatus from ec2:DescribeRegions(AllRegions=True), or why it could not be read."""
    from scanner.collect.aws._client import classify
    from scanner.engine.pool import ScanCancelled

    try:
        answer = api.call("ec2", region, "DescribeRegions", AllRegions=True)
    except ScanCancelled:
        raise  # an interrupted scan, not an answer about the regions
    except Exception as exc:  # noqa: BLE001 - a denial here is reported, not fatal, when regions were given
        return classify(exc, "ec2", region).reason
    return {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in answer.get("Regions", [])}


def resolve_regions(api: Any, partition: str, requested: list[str] | None, home_region: str) -> tuple[list[str], str | None]:
    """The regions to scan and, when their state could not be read, a warning to show.

    requested None ("all"): every region DescribeRegions reports enabled. Otherwise each name must be
    in the partition and enabled (when DescribeRegions can say)."""
    states = describe_regions(api, home_region)
    if requested is None:
        if isinstance(states, str):
            raise ConfigurationError(f"cannot list the enabled regions ({states}); pass --regions")
        session = getattr(api, "session", None)
        foreign = known_regions(None, session) - known_regions(partition, session)  # emulators answer for every partition
        return sorted(r for r, state in states.items() if state != NOT_ENABLED and r not in foreign), None
    check_region_names(
        requested, partition, also_known=set(states) if isinstance(states, dict) else None, session=getattr(api, "session", None)
    )
    if isinstance(states, str):
        return requested, f"cannot check that {', '.join(requested)} {'is' if len(requested) == 1 else 'are'} enabled ({states}); scanning them as given"
    disabled = [r for r in requested if states.get(r) == NOT_ENABLED]
    if disabled:
        raise ConfigurationError(
            f"region {', '.join(disabled)} {'is' if len(disabled) == 1 else 'are'} not enabled for this account "
            "(opt-in regions: enable them in the account settings, or leave them out of --regions)"
        )
    return requested, None
