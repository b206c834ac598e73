"""IAM Identity Center (regional): the instances ListInstances reports in each region."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.ssoadmin import IdentityCenterInstance

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.ssoadmin.instances", regional=True, permissions=["sso:ListInstances"])
def instances(scope: AwsScope) -> list[IdentityCenterInstance]:
    return [
        IdentityCenterInstance(
            id=i["InstanceArn"],
            name=i.get("Name") or i["InstanceArn"].rsplit("/", 1)[-1],
            region=scope.region,
            account=scope.account,
            identity_store_id=i.get("IdentityStoreId"),
            owner_account=i.get("OwnerAccountId"),
            status=i.get("Status"),
        )
        for i in scope.pages("sso-admin", "ListInstances", "Instances")
    ]
