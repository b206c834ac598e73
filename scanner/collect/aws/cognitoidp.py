"""Amazon Cognito user pools (regional): ListUserPools, then DescribeUserPool per pool concurrently.

ListUserPools does not return the MFA setting; DescribeUserPool does. It is read as the "mfa" facet,
so a denied DescribeUserPool makes only that pool's MFA verdict ERROR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector
from scanner.models.aws.cognitoidp import UserPool

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.cognitoidp.user_pools", regional=True, permissions=["cognito-idp:ListUserPools", "cognito-idp:DescribeUserPool"])
def user_pools(scope: AwsScope) -> list[UserPool]:
    listed = scope.pages("cognito-idp", "ListUserPools", "UserPools", MaxResults=60)
    return scope.map(lambda p: _pool(scope, p), listed)


def _pool(scope: AwsScope, listed: dict[str, Any]) -> UserPool:
    pool_id = listed["Id"]

    def mfa() -> dict[str, Any]:
        pool = scope.call("cognito-idp", "DescribeUserPool", UserPoolId=pool_id)["UserPool"]
        factors = pool.get("EnabledMfas") or []
        return {
            "mfa_configuration": pool.get("MfaConfiguration", "OFF"),
            "software_token_mfa": "SOFTWARE_TOKEN_MFA" in factors,
            "sms_mfa": "SMS_MFA" in factors,
        }

    fields, errors = read_facets(scope, "cognito-idp", scope.region, {"mfa": mfa})
    return UserPool(
        id=scope.arn("cognito-idp", f"userpool/{pool_id}"),
        name=listed.get("Name", pool_id),
        region=scope.region,
        account=scope.account,
        errors=errors,
        **fields,
    )
