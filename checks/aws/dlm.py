"""Data Lifecycle Manager: some policy (DLM or AWS Backup) backs up EBS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

# AWS Backup resource types whose recovery points include EBS snapshots.
EBS_BACKUP_TYPES = ("EBS", "EC2")


@check(
    id="aws.dlm.ebs_snapshot_policy_exists",
    title="A Data Lifecycle Manager policy or AWS Backup covers EBS",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::DLM::LifecyclePolicy",
    reads=["aws.ec2.volumes", "aws.dlm.policies", "aws.backup.protected_resources"],
    optional=["aws.dlm.policies", "aws.backup.protected_resources"],
    remediation="Create an enabled DLM policy for EBS snapshots (a default policy for volumes, or a custom policy "
    "targeting your volumes' tags), or assign EBS volumes / EC2 instances to an AWS Backup plan.",
)
def ebs_snapshot_policy_exists(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Block storage is backed up only if something schedules its snapshots: an enabled DLM
    snapshot or AMI policy, or an AWS Backup plan that has backed up EBS volumes or EC2 instances.
    This is the account-level evidence of an EBS backup process (A1.2, CC7.5); which volumes it
    covers is aws.ec2.volume_backup_protected. Either source is evidence on its own, so one that
    could not be read does not withhold a PASS the other gives."""
    dlm = sorted(f"{p.name} ({p.region})" for p in inv.dlm.policies if p.snapshots_ebs)
    backed_up = sorted(
        {f"{r.resource_type} ({r.region})" for r in inv.backup.protected_resources if r.resource_type in EBS_BACKUP_TYPES}
    )
    if dlm or backed_up:
        parts = [f"enabled DLM policies: {', '.join(dlm)}"] if dlm else []
        parts += [f"AWS Backup holds recovery points of {', '.join(backed_up)}"] if backed_up else []
        yield Result.passed(ctx.account, "; ".join(parts), dlm_policies=dlm, backup_protected_types=backed_up)
        return
    volumes_complete = ctx.complete("aws.ec2.volumes")
    unread = [reason for key in ("aws.dlm.policies", "aws.backup.protected_resources") if (reason := ctx.missing(key))]
    if not inv.ec2.volumes and volumes_complete:
        yield Result.not_applicable(ctx.account, "no EBS volumes in the scanned regions")
    elif unread:
        yield Result.error(ctx.account, "no EBS backup policy found in what could be read: " + "; ".join(unread))
    elif volumes_complete:
        disabled = sorted(p.name for p in inv.dlm.policies if not p.enabled)
        reason = "no enabled DLM snapshot policy and no AWS Backup recovery point of EBS or EC2 in any region"
        yield Result.failed(ctx.account, reason, disabled_dlm_policies=disabled, volumes=len(inv.ec2.volumes))
    else:  # the volumes of a region could not be listed: its ERROR finding says which
        yield Result.unknown(ctx.account, "no EBS backup policy found, and the volumes of some regions could not be listed")
