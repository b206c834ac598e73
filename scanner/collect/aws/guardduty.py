"""GuardDuty (regional): the region's detector and its status; one record per region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.guardduty import GuardDutyRegion

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.guardduty.regions", regional=True, permissions=["guardduty:ListDetectors", "guardduty:GetDetector"])
def regions(scope: AwsScope) -> list[GuardDutyRegion]:
    detector_ids = sorted(scope.pages("guardduty", "ListDetectors", "DetectorIds"))
    if not detector_ids:
        return [
            GuardDutyRegion(
                id=scope.arn("guardduty", "detector"),
                name=f"GuardDuty ({scope.region})",
                region=scope.region,
                account=scope.account,
            )
        ]
    detector_id = detector_ids[0]  # GuardDuty allows one detector per account and region
    detector = scope.call("guardduty", "GetDetector", DetectorId=detector_id)
    return [
        GuardDutyRegion(
            id=scope.arn("guardduty", f"detector/{detector_id}"),
            name=f"GuardDuty ({scope.region})",
            region=scope.region,
            account=scope.account,
            detector_id=detector_id,
            status=detector.get("Status"),
            finding_publishing_frequency=detector.get("FindingPublishingFrequency"),
            features={f["Name"]: f.get("Status", "") for f in detector.get("Features") or [] if f.get("Name")},
            updated_at=detector.get("UpdatedAt"),
        )
    ]
