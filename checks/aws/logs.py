"""CloudWatch Logs: retention and KMS encryption of log groups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.logs.log_group_retention",
    title="CloudWatch log groups retain events for at least the configured days",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="AWS::Logs::LogGroup",
    reads=["aws.logs.log_groups"],
    params={"min_days": Param(365, minimum=1, maximum=3653)},
    remediation="Set the log group's retention (aws logs put-retention-policy) to at least the required days.",
)
def log_group_retention(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Logs must outlive the period an auditor samples (a Type 2 period is 6-12 months) and the
    time it takes to notice an incident (CC7.2). "Never expire" passes."""
    minimum = ctx.params["min_days"]
    for group in inv.logs.log_groups:
        days = group.retention_days
        if days is None:
            yield Result.passed(group, "retention is Never expire", retention_days=None)
        elif days >= minimum:
            yield Result.passed(group, f"retentionInDays is {days} (>= {minimum})", retention_days=days)
        else:
            yield Result.failed(group, f"retentionInDays is {days} (< {minimum})", retention_days=days)


@check(
    id="aws.logs.log_group_kms_encrypted",
    title="CloudWatch log groups are encrypted with a KMS key",
    severity=Severity.LOW,
    category=Category.ENCRYPTION,
    resource_type="AWS::Logs::LogGroup",
    reads=["aws.logs.log_groups"],
    remediation="aws logs associate-kms-key --log-group-name <name> --kms-key-id <key ARN> "
    "(the key policy must allow logs.<region>.amazonaws.com).",
)
def log_group_kms_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Logs hold request details, identifiers and sometimes personal data. CloudWatch Logs always
    encrypts at rest with a service key; a customer-managed KMS key adds a key policy and CloudTrail
    records of every decryption, so reading the logs can be restricted and audited (C1.1, CC6.1)."""
    for group in inv.logs.log_groups:
        if group.kms_key_id:
            yield Result.passed(group, f"kmsKeyId is {group.kms_key_id}", kms_key_id=group.kms_key_id)
        else:
            yield Result.failed(group, "no kmsKeyId: encrypted only with the service-owned key", kms_key_id=None)
