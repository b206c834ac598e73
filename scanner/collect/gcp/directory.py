"""Cloud Identity / Workspace users with their 2-step verification state (Admin SDK Directory API).

Reading the directory needs a Workspace / Cloud Identity admin role (or a service account with
domain-wide delegation, `--admin-subject`). Without it the answer is "not readable" with the reason,
which the 2SV check reports as UNKNOWN with the manual evidence to collect: the scan's principal
lacking a directory role is a property of the scan, not an error in the organization.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.gcp._client import GcpApiError, classify
from scanner.collect.registry import collector
from scanner.models.gcp.directory import DirectoryAccess, DirectoryUser

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector("gcp.directory.access", regional=False, organization=True, permissions=["directory.users.list"])
def access(scope: GcpScope) -> DirectoryAccess:
    return _read(scope)[0]


@collector("gcp.directory.users", regional=False, organization=True, permissions=["directory.users.list"])
def users(scope: GcpScope) -> list[DirectoryUser]:
    return _read(scope)[1]


def _read(scope: GcpScope) -> tuple[DirectoryAccess, list[DirectoryUser]]:
    org = f"organizations/{scope.organization}"
    customer = "my_customer"
    try:
        customer = scope.api.rm("organizations", "get_organization", name=org).directory_customer_id or customer
    except GcpApiError:
        pass  # the organization collector reports that; "my_customer" is the caller's own directory
    resource = dict(id=f"{org}/directory", name=f"directory {customer}", region="global", account=scope.account)
    try:
        listed = scope.pages("admin", "users.list", "users", customer=customer, projection="basic", maxResults=500)
    except GcpApiError as exc:
        if exc.http_status in (401, 403, 404) or exc.service_disabled:
            reason = classify(exc, "admin", "global").reason
            return DirectoryAccess(readable=False, reason=reason, **resource), []
        raise
    found = [
        DirectoryUser(
            id=f"{org}/users/{u.get('id', u['primaryEmail'])}",
            name=u["primaryEmail"],
            region="global",
            account=scope.account,
            primary_email=u["primaryEmail"],
            is_admin=bool(u.get("isAdmin", False)),
            suspended=bool(u.get("suspended", False)),
            is_enrolled_in_2sv=bool(u.get("isEnrolledIn2Sv", False)),
            is_enforced_in_2sv=bool(u.get("isEnforcedIn2Sv", False)),
        )
        for u in listed
    ]
    return DirectoryAccess(readable=True, **resource), found
