"""IAM: user-managed service-account keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory


@check(
    id="gcp.iam.no_user_managed_sa_keys",
    title="Service accounts have no user-managed keys",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="iam.googleapis.com/ServiceAccount",
    reads=["gcp.iam.service_accounts:keys"],
    remediation="Delete the key (gcloud iam service-accounts keys delete) and use workload identity federation, attached "
    "service accounts or short-lived impersonation instead; enforce the iam.disableServiceAccountKeyCreation org policy.",
)
def no_user_managed_sa_keys(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A downloaded service-account key is a long-lived bearer credential with no second factor; it
    is copied into CI systems and laptops and cannot be tied to a person (CC6.1)."""
    for account in inv.iam.service_accounts:
        keys = [k.name.rsplit("/", 1)[-1] for k in account.user_managed_keys]
        if keys:
            yield Result.failed(account, f"{len(keys)} enabled user-managed key(s): {', '.join(keys)}", key_ids=keys)
        else:
            yield Result.passed(account, "no enabled user-managed keys")


@check(
    id="gcp.iam.sa_key_rotated",
    title="User-managed service-account keys are younger than the configured days",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="iam.googleapis.com/ServiceAccount",
    reads=["gcp.iam.service_accounts:keys"],
    params={"max_age_days": Param(90, minimum=1, maximum=3650)},
    remediation="Create a new key, move its users to it, then delete the old key; better, remove the key entirely.",
)
def sa_key_rotated(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Where a user-managed key must exist, rotating it bounds how long a leaked copy stays useful
    (CC6.1). Accounts without user-managed keys are not evaluated."""
    limit = ctx.params["max_age_days"]
    for account in inv.iam.service_accounts:
        keys = account.user_managed_keys
        if not keys:
            continue
        ages = {k.name.rsplit("/", 1)[-1]: ctx.days_since(k.valid_after) for k in keys}
        old = {k: a for k, a in ages.items() if a is None or a > limit}
        if old:
            key, age = max(old.items(), key=lambda item: item[1] or 0)
            yield Result.failed(account, f"key {key} is {count(age, 'day')} old (limit {limit})", key_ages_days=ages, max_age_days=limit)
        else:
            yield Result.passed(account, f"every user-managed key is at most {count(max(ages.values()), 'day')} old (limit {limit})", key_ages_days=ages)
