"""Cloud Identity / Workspace: 2-step verification for the organization's users."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory

MANUAL_2SV_EVIDENCE = (
    "collect manually: an Admin console export of Security > Authentication > 2-Step Verification showing "
    "'Allow users to turn on' and enforcement 'On' for every organizational unit, and the Users list with the "
    "2SV enrollment and enforcement columns (or grant the scanner a Workspace admin role with Users > Read)"
)


def _unreadable(inv: GcpInventory) -> Result | None:
    access = inv.directory.access
    if access is not None and not access.readable:
        return Result.unknown(access, f"the directory is not readable ({access.reason}); {MANUAL_2SV_EVIDENCE}", reason=access.reason)
    return None


@check(
    id="gcp.directory.users_2sv_enforced",
    title="2-step verification is enforced for every active user of the organization",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="admin.googleapis.com/User",
    reads=["gcp.directory.access", "gcp.directory.users"],
    remediation="In the Admin console (Security > Authentication > 2-Step Verification) allow 2SV and set enforcement "
    "to On for every organizational unit; users then enroll a security key or authenticator at next sign-in.",
)
def users_2sv_enforced(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Google Cloud console and API access is granted to Cloud Identity / Workspace accounts; a
    password alone protects every project the user can reach. SOC 2 CC6.1 expects strong
    authentication: 2SV must be enforced (isEnforcedIn2Sv), not merely allowed, and the user
    enrolled. When the directory cannot be read the verdict is UNKNOWN with the evidence to collect."""
    unreadable = _unreadable(inv)
    if unreadable:
        yield unreadable
        return
    for user in inv.directory.users:
        if user.suspended:
            continue
        evidence = {"is_enforced_in_2sv": user.is_enforced_in_2sv, "is_enrolled_in_2sv": user.is_enrolled_in_2sv}
        if user.is_enforced_in_2sv and user.is_enrolled_in_2sv:
            yield Result.passed(user, "isEnforcedIn2Sv and isEnrolledIn2Sv are true", **evidence)
        elif not user.is_enforced_in_2sv:
            yield Result.failed(user, f"isEnforcedIn2Sv is false (enrolled: {str(user.is_enrolled_in_2sv).lower()})", **evidence)
        else:
            yield Result.failed(user, "2SV is enforced but the user has not enrolled (isEnrolledIn2Sv is false)", **evidence)


@check(
    id="gcp.directory.admins_2sv_enrolled",
    title="Super administrators are enrolled in 2-step verification",
    severity=Severity.CRITICAL,
    category=Category.MFA,
    resource_type="admin.googleapis.com/User",
    reads=["gcp.directory.access", "gcp.directory.users"],
    remediation="Have each super administrator enroll a security key (Admin console > Users > the admin > Security > 2-Step "
    "Verification), then enforce 2SV for the admins' organizational unit.",
)
def admins_2sv_enrolled(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A super administrator can grant themselves any role in the organization and reset any
    user's credentials; a break-glass admin without a second factor is the organization's weakest
    credential (CC6.1, CC6.3)."""
    unreadable = _unreadable(inv)
    if unreadable:
        yield unreadable
        return
    for user in inv.directory.users:
        if user.suspended or not user.is_admin:
            continue
        if user.is_enrolled_in_2sv:
            yield Result.passed(user, "super administrator with isEnrolledIn2Sv true", is_enrolled_in_2sv=True)
        else:
            yield Result.failed(user, "super administrator with isEnrolledIn2Sv false", is_enrolled_in_2sv=False)
