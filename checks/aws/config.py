"""AWS Config: a recorder recording in every region with a delivery channel; global resources recorded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.aws.config import Recorder
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

# Regional resource types a recorder limited to a list must at least cover (default parameter).
CORE_RESOURCE_TYPES = [
    "AWS::CloudTrail::Trail",
    "AWS::EC2::Instance",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Volume",
    "AWS::KMS::Key",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
]


def _customer_recorders(recorders: list[Recorder]) -> list[Recorder]:
    # Service-linked recorders (recordingScope INTERNAL) record only for the owning service.
    return [r for r in recorders if r.recording_scope != "INTERNAL" and not r.service_principal]


def _scope_gap(recorder: Recorder, required: list[str]) -> str | None:
    """Why the recorder's recording group is too narrow, or None when it is sensible."""
    strategy = recorder.recording_strategy
    if recorder.all_supported or strategy in ("ALL_SUPPORTED_RESOURCE_TYPES", "EXCLUSION_BY_RESOURCE_TYPES"):
        return None
    missing = sorted(set(required) - set(recorder.resource_types))
    if missing:
        return f"records only {len(recorder.resource_types)} listed resource type(s), missing {', '.join(missing)}"
    return None


@check(
    id="aws.config.recorder_recording",
    title="AWS Config records resource configuration in every region, with a delivery channel",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::Config::ConfigurationRecorder",
    reads=["aws.config.recording:delivery_channels"],
    params={"required_resource_types": CORE_RESOURCE_TYPES},
    remediation="In each region: create a configuration recorder recording all supported resource types, a delivery "
    "channel to an S3 bucket, and start the recorder (aws configservice start-configuration-recorder).",
)
def recorder_recording(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """AWS Config keeps the configuration history of every resource, the evidence of what changed,
    when, and whether it matched the baseline (CC7.1), and of the state of the system at any date in
    the audit period. A recorder that is stopped, records only a few types, or has no delivery
    channel produces no such record. A recorder limited to a list of types passes only if the list
    includes every type in `required_resource_types`; an exclusion list passes, listed as evidence."""
    required = list(ctx.params["required_resource_types"])
    for region in inv.config.recording:
        recorders = _customer_recorders(region.recorders)
        channels = [c.name for c in region.delivery_channels]
        if not recorders:
            yield Result.failed(region, "no configuration recorder")
            continue
        running = [r for r in recorders if r.recording and (r.last_status or "").upper() != "FAILURE"]
        if not running:
            states = ", ".join(f"{r.name}: recording={str(r.recording).lower()}, lastStatus={r.last_status}" for r in recorders)
            yield Result.failed(region, f"configuration recorder is not recording ({states})")
            continue
        recorder = running[0]
        evidence = {
            "recorder": recorder.name,
            "all_supported": recorder.all_supported,
            "recording_strategy": recorder.recording_strategy,
            "excluded_resource_types": recorder.excluded_resource_types,
            "delivery_channels": channels,
        }
        gap = _scope_gap(recorder, required)
        if gap:
            yield Result.failed(region, f"recorder {recorder.name} {gap}", **evidence)
        elif not channels:
            yield Result.failed(region, f"recorder {recorder.name} is recording but there is no delivery channel", **evidence)
        else:
            yield Result.passed(
                region, f"recorder {recorder.name} is recording, delivery channel {', '.join(channels)}", **evidence
            )


@check(
    id="aws.config.global_resources_recorded",
    title="AWS Config records global resources (IAM) in at least one region",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="AWS::Config::ConfigurationRecorder",
    reads=["aws.config.recording"],
    remediation="In one region (usually the home region), set the recorder's recording group to include global "
    "resource types (includeGlobalResourceTypes true) and make sure it is recording.",
)
def global_resources_recorded(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """IAM users, roles, groups and policies are global resources: unless one region's recorder
    includes them, changes to who can access what are missing from the configuration history
    (CC7.1, CC6.2). One region is enough; recording them in every region duplicates items."""
    found = sorted(
        f"{r.name} ({region.region})"
        for region in inv.config.recording
        for r in _customer_recorders(region.recorders)
        if r.recording and (r.include_global_resource_types or "AWS::IAM::Role" in r.resource_types)
    )
    if found:
        yield Result.passed(ctx.account, f"global resource types recorded by {', '.join(found)}", recorders=found)
    elif ctx.complete("aws.config.recording"):
        yield Result.failed(ctx.account, "no recording configuration recorder includes global resource types (IAM)")
    else:
        yield Result.unknown(ctx.account, "no recorder of global resource types found in the regions that could be read")
