"""Amazon Cognito user pools (cognito-idp): the MFA setting each pool enforces."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class UserPool(Resource):
    # OFF | ON | OPTIONAL; None with an entry in errors["mfa"] when DescribeUserPool was denied
    mfa_configuration: str | None = None
    software_token_mfa: bool = False  # TOTP among the enabled second factors
    sms_mfa: bool = False


class CognitoIdp(BaseModel):
    user_pools: list[UserPool] = Field(default_factory=list)
