"""Resource Manager: who holds which roles on each project."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.gcp._iam import grants, human, user_managed_service_account
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory


def _pairs(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{member} ({role})" for member, role in pairs]


@check(
    id="gcp.resourcemanager.sa_no_admin_roles",
    title="Service accounts hold no Owner or Editor role on projects",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="cloudresourcemanager.googleapis.com/Project",
    reads=["gcp.resourcemanager.projects:iam_policy"],
    params={"roles": ["roles/owner", "roles/editor"]},
    remediation="Replace the Owner/Editor grant with the predefined roles the workload needs; for the Compute Engine default "
    "service account, set iam.automaticIamGrantsForDefaultServiceAccounts to stop the automatic Editor grant.",
)
def sa_no_admin_roles(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A workload identity with Owner or Editor can change almost anything in the project, and a
    compromised VM or pipeline inherits it; least privilege for non-human identities (CC6.3).
    Google-managed service agents are not evaluated."""
    roles = set(ctx.params["roles"])
    for project in inv.resourcemanager.projects:
        found = grants(project.iam_policy, roles, user_managed_service_account)
        if found:
            yield Result.failed(project, "service accounts with broad roles: " + ", ".join(_pairs(found)), grants=_pairs(found))
        else:
            yield Result.passed(project, f"no service account holds {', '.join(sorted(roles))} on the project")


@check(
    id="gcp.resourcemanager.no_primitive_roles_for_users",
    title="Users and groups hold no primitive (basic) roles on projects",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="cloudresourcemanager.googleapis.com/Project",
    reads=["gcp.resourcemanager.projects:iam_policy"],
    params={"roles": ["roles/owner", "roles/editor"], "allowed_members": []},
    remediation="Grant predefined or custom roles scoped to the job instead of Owner/Editor; keep owners at the folder or "
    "organization level behind a break-glass process (list those accounts in allowed_members).",
)
def no_primitive_roles_for_users(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Basic roles predate IAM and grant thousands of permissions across every service; granting
    them to people makes access reviews meaningless (CC6.2, CC6.3)."""
    roles = set(ctx.params["roles"])
    allowed = set(ctx.params["allowed_members"])
    for project in inv.resourcemanager.projects:
        found = grants(project.iam_policy, roles, lambda m: human(m) and m not in allowed)
        if found:
            yield Result.failed(project, "basic roles granted to people: " + ", ".join(_pairs(found)), grants=_pairs(found))
        else:
            yield Result.passed(project, f"no user or group holds {', '.join(sorted(roles))} on the project")


@check(
    id="gcp.resourcemanager.no_sa_user_at_project",
    title="No one holds Service Account User or Token Creator on a whole project",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="cloudresourcemanager.googleapis.com/Project",
    reads=["gcp.resourcemanager.projects:iam_policy"],
    remediation="Remove the project-level grant and grant roles/iam.serviceAccountUser on the specific service accounts instead.",
)
def no_sa_user_at_project(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Service Account User / Token Creator at project level lets the holder act as every service
    account in the project, including ones with far more access than their own (CC6.3)."""
    roles = {"roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"}
    for project in inv.resourcemanager.projects:
        found = grants(project.iam_policy, roles, lambda m: True)
        if found:
            yield Result.failed(project, "project-wide impersonation grants: " + ", ".join(_pairs(found)), grants=_pairs(found))
        else:
            yield Result.passed(project, "no project-level serviceAccountUser / serviceAccountTokenCreator grant")
