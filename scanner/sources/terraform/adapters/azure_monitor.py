"""Log Analytics workspaces (azurerm_log_analytics_workspace): 30 days' retention and the
PerGB2018 SKU unless retention_in_days and sku say otherwise."""

from __future__ import annotations

from scanner.models.azure.loganalytics import Workspace
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_int, identity, name_or_address
from scanner.sources.terraform.adapters._azure import arm_id, location, resource_group
from scanner.sources.terraform.modules import TfResource


@identity("azurerm_log_analytics_workspace")
def _workspace_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.OperationalInsights/workspaces", name)}


@adapter("azure.loganalytics.workspaces", ["azurerm_log_analytics_workspace"])
def workspaces(ctx: Context) -> list[Workspace]:
    out = []
    for tf in ctx.of_type("azurerm_log_analytics_workspace"):
        f = Fields(ctx, tf)
        f.get("retention_days", "retention_in_days", default=30, convert=as_int, note="a workspace keeps data 30 days unless retention_in_days says otherwise")
        f.get("sku", default="PerGB2018")
        ident = ctx.identity_of(tf)
        out.append(f.build(Workspace, id=ident["id"], name=ident["name"], region=location(tf), resource_group=resource_group(ctx, tf)))
    return out
