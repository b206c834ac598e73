"""Amazon Cognito user pools (regional): ListUserPools, then GetUserPoolMfaConfig per pool concurrently.

ListUserPools does not return the MFA setting; GetUserPoolMfaConfig returns it with the enabled
factors. It is read as the "mfa" facet, so a denied call makes only that pool's verdict ERROR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.cognitoidp import UserPool

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.cognitoidp.user_pools",
    regional=True,
    permissions=["cognito-idp:ListUserPools"],
    facets={
        "mfa": facet(["cognito-idp:GetUserPoolMfaConfig"], ["mfa_configuration", "software_token_mfa", "sms_mfa"]),
    },
)
def user_pools(scope: AwsScope) -> list[UserPool]:
    listed = scope.pages("cognito-idp", "ListUserPools", "UserPools", MaxResults=60)
    return scope.map(lambda p: _pool(scope, p), listed)


def _pool(scope: AwsScope, listed: dict[str, Any]) -> UserPool:
    pool_id = listed["Id"]

    def mfa() -> dict[str, Any]:
        config = scope.call("cognito-idp", "GetUserPoolMfaConfig", UserPoolId=pool_id)
        return {
            "mfa_configuration": config.get("MfaConfiguration", "OFF"),
            "software_token_mfa": bool((config.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled")),
            "sms_mfa": bool((config.get("SmsMfaConfiguration") or {}).get("SmsConfiguration")),
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
