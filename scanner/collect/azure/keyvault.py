"""Key Vault through the management plane: vaults (with their diagnostic settings), keys (with
rotation policy) and secrets, metadata only. No data-plane access is needed."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props
from scanner.collect.registry import collector, facet
from scanner.models.azure.keyvault import KeyVault, VaultKey, VaultSecret

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope


def _vaults(scope: AzureScope) -> list[dict[str, Any]]:
    return scope.list("keyvault", "vaults.listBySubscription", lambda c: c.vaults.list_by_subscription())


@collector(
    "azure.keyvault.vaults",
    regional=True,
    permissions=["Microsoft.KeyVault/vaults/read"],
    facets={
        "diagnostics": facet(["Microsoft.Insights/diagnosticSettings/read"], ["diagnostic_settings"]),
    },
)
def vaults(scope: AzureScope) -> list[KeyVault]:
    return scope.map(lambda body: _vault(scope, body), _vaults(scope))


def _vault(scope: AzureScope, body: dict[str, Any]) -> KeyVault:
    from scanner.collect.azure._client import read_facets
    from scanner.collect.azure._diagnostics import diagnostic_settings

    fields, errors = read_facets(scope, "monitor", {"diagnostics": lambda: {"diagnostic_settings": diagnostic_settings(scope, body["id"])}})
    p = props(body)
    return KeyVault(
        **base(scope, body),
        errors=errors,
        soft_delete=p.get("enableSoftDelete"),
        soft_delete_retention_days=p.get("softDeleteRetentionInDays"),
        purge_protection=bool(p.get("enablePurgeProtection")),
        rbac_authorization=bool(p.get("enableRbacAuthorization")),
        public_network_access=p.get("publicNetworkAccess"),
        **fields,
    )


def _epoch(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _per_vault(scope: AzureScope, fn: Any) -> list[Any]:
    from scanner.collect.azure._client import resource_group

    chunks = scope.map(lambda v: fn(resource_group(v["id"]), v["name"]), _vaults(scope))
    return [item for chunk in chunks for item in chunk]


@collector(
    "azure.keyvault.keys",
    regional=True,
    permissions=["Microsoft.KeyVault/vaults/read", "Microsoft.KeyVault/vaults/keys/read"],
    facets={
        "rotation": facet(["Microsoft.KeyVault/vaults/keys/read"], ["rotation_actions"]),
    },
)
def keys(scope: AzureScope) -> list[VaultKey]:
    from scanner.collect.azure._client import read_facets

    def vault_keys(group: str, vault: str) -> list[VaultKey]:
        listed = scope.list("keyvault", "keys.list", lambda c: c.keys.list(group, vault), group, vault)

        def one(body: dict[str, Any]) -> VaultKey:
            def rotation() -> dict[str, Any]:
                # The list does not carry the rotation policy; the key's GET does.
                full = props(scope.get("keyvault", "keys.get", lambda c: c.keys.get(group, vault, body["name"]), group, vault, body["name"]))
                actions = ((full.get("rotationPolicy") or {}).get("lifetimeActions")) or []
                return {"rotation_actions": sorted({str((a.get("action") or {}).get("type", "")).lower() for a in actions} - {""})}

            fields, errors = read_facets(scope, "keyvault", {"rotation": rotation})
            attributes = props(body).get("attributes") or {}
            return VaultKey(
                **base(scope, body),
                errors=errors,
                vault_name=vault,
                enabled=attributes.get("enabled", True) is not False,
                expires=_epoch(attributes.get("exp")),
                **fields,
            )

        return scope.map(one, listed)

    return _per_vault(scope, vault_keys)


@collector("azure.keyvault.secrets", regional=True, permissions=["Microsoft.KeyVault/vaults/read", "Microsoft.KeyVault/vaults/secrets/read"])
def secrets(scope: AzureScope) -> list[VaultSecret]:
    def vault_secrets(group: str, vault: str) -> list[VaultSecret]:
        listed = scope.list("keyvault", "secrets.list", lambda c: c.secrets.list(group, vault), group, vault)
        result = []
        for body in listed:
            attributes = props(body).get("attributes") or {}
            result.append(
                VaultSecret(**base(scope, body), vault_name=vault, enabled=attributes.get("enabled", True) is not False, expires=_epoch(attributes.get("exp")))
            )
        return result

    return _per_vault(scope, vault_secrets)
