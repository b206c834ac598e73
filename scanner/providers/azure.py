"""Azure: DefaultAzureCredential, every readable subscription plus the tenant's Entra ID; the fake
cloud server for the demo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

NAME = "azure"
SCAN_HELP = (
    "Scan Azure subscriptions and the Entra ID tenant with DefaultAzureCredential "
    "(env service principal, workload identity/OIDC, managed identity, az login)."
)
OPTIONS = [
    click.option("--subscriptions", metavar="ID,...|all", help="Subscriptions to scan (default: every one the principal can read)."),
    click.option(
        "--management-group",
        metavar="GROUP_ID",
        help="Scan every enabled subscription under this management group (nested groups included).",
    ),
    click.option("--tenant", help="Entra ID tenant id to sign in to (default: the credential's home tenant)."),
    click.option(
        "--cloud",
        type=click.Choice(["public", "usgov", "china"], case_sensitive=False),
        default="public",
        show_default=True,
        help="Azure cloud: ARM, sign-in and Microsoft Graph endpoints.",
    ),
    click.option("--endpoint-url", help="Send every ARM and Graph call here (a local fake; its CA via REQUESTS_CA_BUNDLE)."),
]

# Built-in Azure roles that grant every management-plane read the collectors make.
ROLES = ["Reader", "Security Reader"]


def open_collection(
    pool: Any,
    *,
    subscriptions: str | None = None,
    management_group: str | None = None,
    tenant: str | None = None,
    cloud: str = "public",
    endpoint_url: str | None = None,
    credential: Any = None,
    connection_verify: Any = None,
    retry_total: int | None = None,
    retry_backoff_factor: float | None = None,
) -> Any:
    from scanner.collect.azure._client import AzureApi, AzureCollection, TenantCredential
    from scanner.errors import ConfigurationError

    wanted = (subscriptions or "all").strip()
    ids = None if wanted.lower() == "all" else [s.strip() for s in wanted.split(",") if s.strip()]
    group = (management_group or "").strip() or None
    if group and ids:
        raise ConfigurationError("--subscriptions and --management-group both choose the subscriptions: give one of them")
    if group and "/" in group:
        group = group.rstrip("/").rsplit("/", 1)[-1]  # a full /providers/Microsoft.Management/managementGroups/<id>

    if credential is None and tenant:
        from azure.identity import DefaultAzureCredential

        from scanner.collect.azure._client import CLOUDS

        authority = CLOUDS.get((cloud or "public").lower(), CLOUDS["public"]).authority
        credential = TenantCredential(DefaultAzureCredential(authority=authority, additionally_allowed_tenants=[tenant]), tenant)
    api = AzureApi(
        pool,
        credential=credential,
        cloud=(cloud or "public").lower(),
        tenant=tenant,
        endpoint_url=endpoint_url,
        connection_verify=connection_verify,
        retry_total=retry_total,
        retry_backoff_factor=retry_backoff_factor,
    )
    return AzureCollection(api, subscriptions=ids, management_group=group)


@contextmanager
def demo() -> Iterator[dict[str, Any]]:
    from scanner.demo.azure import demo_tenant

    with demo_tenant() as tenant:
        yield {
            "endpoint_url": tenant.endpoint_url,
            "credential": tenant.credential,
            "connection_verify": tenant.cloud.ca_path,
            "retry_total": 0,
        }


def permissions(checks: list[Any]) -> str:
    import json

    from scanner.catalogue import required_permissions

    needed = set(required_permissions(checks))
    graph = sorted(p.split(":", 1)[1] for p in needed if p.startswith("graph:"))
    actions = sorted(p for p in needed if not p.startswith("graph:"))
    document = {
        "azureRoles": {
            "builtIn": ROLES,
            "scope": "each subscription (or a management group above them)",
            "note": "Reader covers every action below; Security Reader adds Defender for Cloud settings.",
        },
        "customRole": {
            "Name": "trustscan reader",
            "IsCustom": True,
            "Description": "Read-only access for trustscan's selected checks.",
            # descendants/read: listing the subscriptions under --management-group
            "Actions": sorted(set(actions) | {"Microsoft.Resources/subscriptions/read", "Microsoft.Management/managementGroups/descendants/read"}),
            "NotActions": [],
            "AssignableScopes": ["/subscriptions/<subscription-id>", "/providers/Microsoft.Management/managementGroups/<group-id>"],
        },
        "microsoftGraph": {
            "type": "Application permissions (admin consent required)",
            "permissions": graph,
        },
    }
    return json.dumps(document, indent=2)
