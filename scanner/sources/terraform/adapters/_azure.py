"""What the azurerm adapters share: ARM ids built from names, regions from locations, references
as ARM ids, and the diagnostic settings (azurerm_monitor_diagnostic_setting) of a resource.

Before apply the subscription id is not known (it comes from the provider's credentials), so ARM
ids carry `(subscription)` in its place, as the storage adapter always did; a resource group or
name Terraform only knows after apply reads `(known after apply)`."""

from __future__ import annotations

from typing import Any

from scanner.models.azure.monitor import DiagnosticSetting
from scanner.sources.terraform.adapters import Context, Fields, name_or_address
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Computed, Unknown

DIAGNOSTIC_TYPES = ("azurerm_monitor_diagnostic_setting",)


def resource_group(ctx: Context, tf: TfResource) -> str:
    group = ctx.ref(tf, tf.values.get("resource_group_name"))
    return group if isinstance(group, str) else "(known after apply)"


def arm_id(ctx: Context, tf: TfResource, provider_type: str, name: str | None = None) -> str:
    name = name or name_or_address(tf.values.get("name"), tf)
    return f"/subscriptions/(subscription)/resourceGroups/{resource_group(ctx, tf)}/providers/{provider_type}/{name}"


def location(tf: TfResource) -> str:
    value = tf.values.get("location")
    return value.replace(" ", "").lower() if isinstance(value, str) else "unknown"


def reference(ctx: Context, tf: TfResource, value: Any) -> Any:
    """An id attribute as a string the models can hold: a known value, the ARM id of a declared
    resource it refers to, or `(known after apply: <address>.<attribute>)` for a declared resource
    without a known id (it certainly exists). Other unknowns stay Unknown."""
    resolved = ctx.ref(tf, value)
    if isinstance(resolved, Computed) and ctx.referenced(tf, resolved) is not None:
        return f"(known after apply: {resolved.address}.{resolved.attribute})"
    return resolved


def diagnostic_settings(ctx: Context, f: Fields, target: TfResource, field: str = "diagnostic_settings") -> None:
    """Set `field` to the diagnostic settings whose target_resource_id designates `target`: their
    enabled log categories (category groups as "group:<name>") and destinations. A setting whose
    target is not known before apply may be this resource's: the field is then unknown."""
    settings: list[DiagnosticSetting] = []
    source: TfResource | None = None
    for tf in ctx.referrers(target, DIAGNOSTIC_TYPES, "target_resource_id", "id"):
        values = tf.values
        categories: list[str] = []
        for block in values.get("enabled_log") or []:
            if isinstance(block, dict):
                if isinstance(block.get("category"), str):
                    categories.append(block["category"])
                if isinstance(block.get("category_group"), str):
                    categories.append(f"group:{block['category_group']}")
        for block in values.get("log") or []:  # azurerm 3.x: log { category, enabled }
            if isinstance(block, dict) and block.get("enabled", True) is True and isinstance(block.get("category"), str):
                categories.append(block["category"])
        destinations = {
            name: reference(ctx, tf, values.get(attribute))
            for name, attribute in (
                ("storage_account_id", "storage_account_id"),
                ("workspace_id", "log_analytics_workspace_id"),
                ("event_hub", "eventhub_authorization_rule_id"),
            )
        }
        unknown = next(((a, v) for a, v in destinations.items() if isinstance(v, Unknown)), None)
        if unknown is not None:
            f.unknown(field, tf, {"workspace_id": "log_analytics_workspace_id", "event_hub": "eventhub_authorization_rule_id"}.get(unknown[0], unknown[0]), unknown[1], [])
            return
        name = values.get("name")
        settings.append(DiagnosticSetting(name=name if isinstance(name, str) else tf.address, categories=categories, **destinations))
        source = tf
    unsure = ctx.unresolved_referrers(DIAGNOSTIC_TYPES, "target_resource_id", target.root)
    if unsure:
        reason = Unknown((f"{unsure[0].address}.target_resource_id is not known ({unsure[0].values.get('target_resource_id')}), so it may be this resource's",))
        f.unknown(field, unsure[0], "target_resource_id", reason, settings)
        return
    f.set(field, settings, tf=source)
