"""Security Hub (regional): whether the account is subscribed in the region; one record per region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.aws._facets import error_code
from scanner.collect.registry import collector
from scanner.models.aws.securityhub import Hub

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

# DescribeHub's answer when Security Hub is not enabled in the region: a value, not an error.
NOT_SUBSCRIBED = "InvalidAccessException"


@collector("aws.securityhub.hubs", regional=True, permissions=["securityhub:DescribeHub"])
def hubs(scope: AwsScope) -> list[Hub]:
    hub = {"id": scope.arn("securityhub", "hub/default"), "name": f"Security Hub ({scope.region})"}
    try:
        response = scope.call("securityhub", "DescribeHub")
    except Exception as exc:
        if error_code(exc) != NOT_SUBSCRIBED:
            raise
        return [Hub(**hub, region=scope.region, account=scope.account, enabled=False)]
    return [
        Hub(
            id=response.get("HubArn") or hub["id"],
            name=hub["name"],
            region=scope.region,
            account=scope.account,
            enabled=True,
            subscribed_at=response.get("SubscribedAt") or None,
            auto_enable_controls=response.get("AutoEnableControls"),
        )
    ]
