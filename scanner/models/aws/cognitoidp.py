"""Amazon Cognito user pools (cognito-idp): the MFA setting each pool enforces."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class UserPool(Resource):
    # OFF | ON | OPTIONAL; None with an entry in errors["mfa"] when GetUserPoolMfaConfig was denied
    mfa_configuration: str | None = None
    software_token_mfa: bool = False  # TOTP enabled as a second factor
    sms_mfa: bool = False  # SMS configured as a second factor


class CognitoIdp(BaseModel):
    user_pools: list[UserPool] = Field(default_factory=list)
