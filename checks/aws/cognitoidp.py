"""Amazon Cognito: user pools enforce MFA."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.cognitoidp.user_pool_mfa_required",
    title="Cognito user pools require MFA",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::Cognito::UserPool",
    reads=["aws.cognitoidp.user_pools:mfa"],
    remediation="Set the pool's MFA enforcement to Required (aws cognito-idp set-user-pool-mfa-config "
    "--mfa-configuration ON) with TOTP or SMS enabled. Existing pools can be switched from OPTIONAL to ON.",
)
def user_pool_mfa_required(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """User pools authenticate the customers or staff of the system in scope; with MFA OFF a
    password alone signs in, and with OPTIONAL every user who never enrolled still does (CC6.1)."""
    for pool in inv.cognitoidp.user_pools:
        evidence = {"mfa_configuration": pool.mfa_configuration, "software_token_mfa": pool.software_token_mfa, "sms_mfa": pool.sms_mfa}
        if pool.mfa_configuration == "ON":
            yield Result.passed(pool, "MfaConfiguration is ON: every sign-in needs a second factor", **evidence)
        elif pool.mfa_configuration == "OPTIONAL":
            yield Result.failed(pool, "MfaConfiguration is OPTIONAL: users who have not enrolled sign in with a password only", **evidence)
        else:
            yield Result.failed(pool, f"MfaConfiguration is {pool.mfa_configuration or 'OFF'}: no second factor", **evidence)
