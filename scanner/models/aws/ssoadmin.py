"""IAM Identity Center (sso-admin): the instances visible from each region."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class IdentityCenterInstance(Resource):
    identity_store_id: str | None = None
    owner_account: str | None = None
    status: str | None = None  # ACTIVE | CREATE_IN_PROGRESS | DELETE_IN_PROGRESS (absent in older answers)


class SsoAdmin(BaseModel):
    instances: list[IdentityCenterInstance] = Field(default_factory=list)
