"""Helpers over IAM policies shared by the GCP checks (not a check module: no @check here)."""

from __future__ import annotations

from scanner.models.gcp.iam_policy import IamPolicy

PRIMITIVE_ROLES = ("roles/owner", "roles/editor", "roles/viewer")


def human(member: str) -> bool:
    return member.startswith(("user:", "group:"))


def user_managed_service_account(member: str) -> bool:
    """Service accounts a customer controls (not Google-managed service agents)."""
    if not member.startswith("serviceAccount:"):
        return False
    email = member.split(":", 1)[1]
    return email.endswith((".iam.gserviceaccount.com", "-compute@developer.gserviceaccount.com", "@appspot.gserviceaccount.com")) and not (
        email.startswith(("service-", "gcp-sa-")) or "@gcp-sa-" in email
    )


def grants(policy: IamPolicy | None, roles: set[str], member_filter) -> list[tuple[str, str]]:
    """(member, role) pairs of `policy` granting one of `roles` to members passing `member_filter`."""
    if policy is None:
        return []
    return sorted((m, b.role) for b in policy.bindings if b.role in roles for m in b.members if member_filter(m))
