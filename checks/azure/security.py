"""Microsoft Defender for Cloud: plans on for servers, SQL, storage, Key Vault, ARM and containers;
security contact email and alert notifications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory


def _plan(id_: str, plan: str, title: str, rationale: str):  # noqa: ANN202 - check factory
    def func(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
        for pricing in inv.security.pricings:
            if pricing.name.lower() != plan.lower():
                continue
            if pricing.pricing_tier == "Standard":
                yield Result.passed(pricing, f"Defender plan {plan} pricingTier is Standard", sub_plan=pricing.sub_plan)
            else:
                yield Result.failed(pricing, f"Defender plan {plan} pricingTier is {pricing.pricing_tier}")

    func.__doc__ = rationale
    func.__name__ = func.__qualname__ = id_.rsplit(".", 1)[-1]
    return check(
        id=id_,
        title=title,
        severity=Severity.MEDIUM,
        category=Category.LOGGING,
        resource_type="Microsoft.Security/pricings",
        reads=["azure.security.pricings"],
        remediation=f"Turn on the {plan} plan: az security pricing create -n {plan} --tier Standard",
    )(func)


defender_servers = _plan(
    "azure.security.defender_servers", "VirtualMachines", "Microsoft Defender for Servers is on",
    "Defender for Servers detects malware, suspicious processes and exposed ports on VMs: threat detection for CC7.2 and CC6.8.",
)
defender_sql = _plan(
    "azure.security.defender_sql", "SqlServers", "Microsoft Defender for Azure SQL is on",
    "Defender for SQL alerts on SQL injection, anomalous access and brute force against databases (CC7.2).",
)
defender_storage = _plan(
    "azure.security.defender_storage", "StorageAccounts", "Microsoft Defender for Storage is on",
    "Defender for Storage detects unusual access, data exfiltration and malware uploads in storage accounts (CC7.2).",
)
defender_keyvault = _plan(
    "azure.security.defender_keyvault", "KeyVaults", "Microsoft Defender for Key Vault is on",
    "Defender for Key Vault alerts on unusual access to keys and secrets (CC7.2).",
)
defender_arm = _plan(
    "azure.security.defender_arm", "Arm", "Microsoft Defender for Resource Manager is on",
    "Defender for Resource Manager detects suspicious management operations, such as those from known malicious IPs (CC7.2).",
)
defender_containers = _plan(
    "azure.security.defender_containers", "Containers", "Microsoft Defender for Containers is on",
    "Defender for Containers finds vulnerable images and detects runtime threats in clusters (CC7.1, CC7.2).",
)


@check(
    id="azure.security.contact_email",
    title="Defender for Cloud has a security contact email",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="Microsoft.Security/securityContacts",
    reads=["azure.security.contacts"],
    remediation="Defender for Cloud > Environment settings > subscription > Email notifications: add the security team's address.",
)
def contact_email(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Microsoft sends notice of compromised resources to the security contact; without one nobody is
    told (CC7.3, CC2.3)."""
    for contact in inv.security.contacts:
        if contact.emails:
            yield Result.passed(contact, f"security contact emails: {', '.join(contact.emails)}", emails=contact.emails)
        else:
            yield Result.failed(contact, "no security contact email is configured")


@check(
    id="azure.security.alert_notifications",
    title="Defender for Cloud emails alerts to the security contact and owners",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="Microsoft.Security/securityContacts",
    reads=["azure.security.contacts"],
    params={"max_minimal_severity": Param("High", choices=("Low", "Medium", "High"))},
    remediation="Email notifications: notify about alerts with severity Medium or higher, and to the Owner role.",
)
def alert_notifications(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Alerts only help if someone receives them; CC7.3 expects security events to reach the people who
    evaluate them."""
    order = {"Low": 0, "Medium": 1, "High": 2}
    limit = order.get(ctx.params["max_minimal_severity"], 2)
    for contact in inv.security.contacts:
        evidence = {"alert_notifications": contact.alert_notifications, "minimal_severity": contact.minimal_severity, "roles": contact.notify_roles}
        if not contact.alert_notifications:
            yield Result.failed(contact, "alert email notifications are off", **evidence)
        elif order.get(contact.minimal_severity or "High", 2) > limit:
            yield Result.failed(contact, f"alerts are emailed only from severity {contact.minimal_severity}", **evidence)
        else:
            yield Result.passed(contact, f"alerts of severity {contact.minimal_severity or 'High'} and above are emailed", **evidence)
