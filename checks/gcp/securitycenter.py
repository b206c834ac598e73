"""Security Command Center: active at the organization, where the scanner can see it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory


@check(
    id="gcp.securitycenter.scc_active",
    title="Security Command Center is active for the organization with built-in detectors",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="securitycenter.googleapis.com/OrganizationSettings",
    reads=["gcp.securitycenter.organization"],
    remediation="Activate Security Command Center (Standard or Premium) at the organization; grant the scanner "
    "roles/securitycenter.adminViewer so this check can see it.",
)
def scc_active(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """SCC's Security Health Analytics continuously flags misconfigurations and, with Event Threat
    Detection, suspicious activity: evidence that security events are detected and evaluated
    (CC7.1, CC7.2). A scanner that cannot see SCC reports UNKNOWN."""
    status = inv.securitycenter.organization
    if status is None:
        return
    if not status.readable:
        yield Result.unknown(status, f"Security Command Center is not visible to this principal ({status.reason}); "
                             "collect a screenshot of Security Command Center > Settings showing the tier and enabled services")
    elif "Security Health Analytics" in status.sources:
        yield Result.passed(status, "finding sources: " + ", ".join(status.sources), sources=status.sources)
    else:
        yield Result.failed(status, "no Security Health Analytics source: SCC is not activated", sources=status.sources)
