"""Security Command Center at the organization: its finding sources, where the caller can see them.

Reading SCC needs an organization-level role (roles/securitycenter.adminViewer). A principal
without it cannot tell whether SCC is active: the answer is "not visible" with the reason, which
the check reports as UNKNOWN rather than an error or a failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.gcp._client import GcpApiError, classify
from scanner.collect.registry import collector
from scanner.models.gcp.securitycenter import SecurityCenterStatus

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector("gcp.securitycenter.organization", regional=False, organization=True, permissions=["securitycenter.sources.list"])
def organization(scope: GcpScope) -> SecurityCenterStatus:
    parent = f"organizations/{scope.organization}"
    resource = dict(id=f"{parent}/securityCenter", name=f"Security Command Center ({parent})", region="global", account=scope.account)
    try:
        sources = scope.pages("securitycenter", "organizations.sources.list", "sources", parent=parent)
    except GcpApiError as exc:
        if exc.http_status == 403:
            return SecurityCenterStatus(readable=False, reason=classify(exc, "securitycenter", "global").reason, **resource)
        raise
    return SecurityCenterStatus(readable=True, sources=sorted(s.get("displayName") or s["name"] for s in sources), **resource)
