"""GuardDuty: enabled in every region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.guardduty.detector_enabled",
    title="GuardDuty is enabled in every region",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::GuardDuty::Detector",
    reads=["aws.guardduty.regions"],
    remediation="Enable GuardDuty in each region (aws guardduty create-detector --enable), or from the organisation's "
    "delegated administrator for every account and region.",
)
def detector_enabled(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """GuardDuty analyses CloudTrail, VPC flow and DNS logs for credential misuse, crypto-mining and
    reconnaissance: the continuous anomaly detection CC7.2 asks for. Attackers favour the regions
    nobody uses, so every region needs a detector."""
    for region in inv.guardduty.regions:
        if region.detector_id is None:
            yield Result.failed(region, "no GuardDuty detector in this region")
        elif region.status == "ENABLED":
            yield Result.passed(
                region,
                f"detector {region.detector_id} is ENABLED",
                detector_id=region.detector_id,
                finding_publishing_frequency=region.finding_publishing_frequency,
            )
        else:
            yield Result.failed(
                region, f"detector {region.detector_id} status is {region.status}", detector_id=region.detector_id
            )
