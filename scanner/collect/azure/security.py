"""Microsoft Defender for Cloud (plain GETs): plan pricing tiers and security contacts.

Security contacts are read with 2023-12-01-preview (isEnabled + notificationsSources), the version
that superseded 2020-01-01-preview (alertNotifications); where ARM does not serve it (a sovereign
cloud, an older stamp: 400/404 naming the api-version or resource type) the older version is read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props, subscription_path
from scanner.collect.registry import collector
from scanner.models.azure.security import DefenderPlan, SecurityContact

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope


@collector("azure.security.pricings", regional=True, permissions=["Microsoft.Security/pricings/read"])
def pricings(scope: AzureScope) -> list[DefenderPlan]:
    body = scope.arm("security", "pricings.list", subscription_path(scope, "/providers/Microsoft.Security/pricings"), "2024-01-01")
    return [
        DefenderPlan(
            **base(scope, item, region="global"),
            pricing_tier=props(item).get("pricingTier") or "Free",
            sub_plan=props(item).get("subPlan"),
        )
        for item in body.get("value") or []
    ]


CONTACTS_API = "2023-12-01-preview"
CONTACTS_FALLBACK_API = "2020-01-01-preview"
# What ARM answers for an api-version (or a resource type at that version) it does not serve.
VERSION_NOT_SERVED = {"NoRegisteredProviderFound", "InvalidApiVersionParameter", "InvalidResourceType", "UnsupportedApiVersion"}


def _version_not_served(exc: Exception) -> bool:
    from azure.core.exceptions import HttpResponseError

    from scanner.collect.azure._client import error_code, status_code

    return isinstance(exc, HttpResponseError) and status_code(exc) in (400, 404) and error_code(exc) in VERSION_NOT_SERVED


@collector("azure.security.contacts", regional=True, permissions=["Microsoft.Security/securityContacts/read"])
def contacts(scope: AzureScope) -> list[SecurityContact]:
    path = subscription_path(scope, "/providers/Microsoft.Security/securityContacts")
    try:
        items = scope.arm("security", "securityContacts.list", path, CONTACTS_API, paged=True)
    except Exception as exc:
        if not _version_not_served(exc):
            raise
        items = scope.arm("security", "securityContacts.list", path, CONTACTS_FALLBACK_API, paged=True)
    if not items:  # none configured is a value: the subscription's default contact, empty
        items = [{"id": subscription_path(scope, "/providers/Microsoft.Security/securityContacts/default"), "name": "default", "properties": {}}]
    return [_contact(scope, item) for item in items]


def _contact(scope: AzureScope, item: dict[str, Any]) -> SecurityContact:
    p = props(item)
    emails = [e.strip() for e in str(p.get("emails") or p.get("email") or "").replace(",", ";").split(";") if e.strip()]
    # 2020-01-01-preview: alertNotifications {state, minimalSeverity}; 2023-12-01-preview: isEnabled + notificationsSources.
    alerts = p.get("alertNotifications") or {}
    sources = [s for s in p.get("notificationsSources") or [] if s.get("sourceType") == "Alert"]
    enabled = str(alerts.get("state", "")).lower() == "on" or bool(p.get("isEnabled") and sources)
    severity = alerts.get("minimalSeverity") or (sources[0].get("minimalSeverity") if sources else None)
    by_role = p.get("notificationsByRole") or {}
    return SecurityContact(
        **base(scope, item, region="global"),
        emails=emails,
        alert_notifications=enabled,
        minimal_severity=severity,
        notify_roles=(by_role.get("roles") or []) if str(by_role.get("state", "")).lower() == "on" else [],
    )
