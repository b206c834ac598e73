"""IAM: service accounts of each project and their user-managed keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.gcp._facets import parse_time, read_facets
from scanner.collect.registry import collector, facet
from scanner.models.gcp.iam import ServiceAccount, ServiceAccountKey

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector(
    "gcp.iam.service_accounts",
    regional=True,
    permissions=["iam.serviceAccounts.list"],
    facets={
        "keys": facet(["iam.serviceAccountKeys.list"], ["keys"]),
    },
)
def service_accounts(scope: GcpScope) -> list[ServiceAccount]:
    listed = scope.pages("iam", "projects.serviceAccounts.list", "accounts", name=f"projects/{scope.project}")
    return scope.map(lambda account: _account(scope, account), listed)


def _account(scope: GcpScope, account: dict) -> ServiceAccount:
    def keys() -> dict:
        answer = scope.call("iam", "projects.serviceAccounts.keys.list", name=account["name"], keyTypes="USER_MANAGED")
        return {
            "keys": [
                ServiceAccountKey(
                    name=k["name"],
                    key_type=k.get("keyType", "USER_MANAGED"),
                    valid_after=parse_time(k.get("validAfterTime")),
                    disabled=bool(k.get("disabled", False)),
                )
                for k in answer.get("keys") or []
            ]
        }

    fields, errors = read_facets(scope, {"keys": keys})
    return ServiceAccount(
        id=account["name"],
        name=account["email"],
        region="global",
        account=scope.account,
        email=account["email"],
        disabled=bool(account.get("disabled", False)),
        errors=errors,
        **fields,
    )
