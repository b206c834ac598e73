"""IAM service accounts and their keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class ServiceAccountKey(Frozen):
    name: str  # projects/p/serviceAccounts/email/keys/<id>
    key_type: str  # USER_MANAGED / SYSTEM_MANAGED
    valid_after: datetime | None = None
    disabled: bool = False


class ServiceAccount(Resource):
    email: str
    disabled: bool = False
    keys: list[ServiceAccountKey] = Field(default_factory=list)  # facet "keys": user-managed keys only

    @property
    def user_managed_keys(self) -> list[ServiceAccountKey]:
        return [k for k in self.keys if k.key_type == "USER_MANAGED" and not k.disabled]


class Iam(BaseModel):
    service_accounts: list[ServiceAccount] = Field(default_factory=list)
