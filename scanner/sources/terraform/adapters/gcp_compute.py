"""Compute Engine: subnetworks, firewall rules, persistent disks (with their snapshot schedule
attachments), resource policies, VM instances, backend services and project metadata.

google provider / Compute Engine defaults: a subnetwork logs flows only with a log_config block; a
firewall rule is INGRESS, enabled and unlogged unless log_config says otherwise; a disk is
encrypted with a Google-managed key unless disk_encryption_key names a KMS key (or carries a
customer-supplied raw_key / rsa_encrypted_key); instances have no deletion protection; a backend
service logs requests only with log_config { enable = true }."""

from __future__ import annotations

from typing import Any

from scanner.models.gcp.compute import BackendService, Disk, FirewallPermission, FirewallRule, Instance, ProjectMetadata, ResourcePolicy, Subnetwork
from scanner.sources.terraform.adapters import MISSING, Context, Fields, adapter, as_bool, identity, name_or_address, path_value
from scanner.sources.terraform.adapters.gcp_data import project
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown, contains_unknown, first_unknown

SCHEDULE_ATTACHMENTS = ("google_compute_disk_resource_policy_attachment",)


def _where(tf: TfResource, kind: str) -> str:
    """The resource's region or zone: its own argument, else the provider's."""
    value = tf.values.get(kind, tf.provider.get(kind))
    return value if isinstance(value, str) and value else "unknown"


def _last_segment(value: Any) -> Any:
    return value.rstrip("/").rsplit("/", 1)[-1] if isinstance(value, str) else value


@identity("google_compute_network")
def _network_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    link = f"projects/{project(tf)}/global/networks/{name}"
    return {"id": link, "name": name, "self_link": link}


@identity("google_compute_subnetwork")
def _subnet_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    link = f"projects/{project(tf)}/regions/{_where(tf, 'region')}/subnetworks/{name}"
    return {"id": link, "name": name, "self_link": link}


@identity("google_compute_disk")
def _disk_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    link = f"projects/{project(tf)}/zones/{_where(tf, 'zone')}/disks/{name}"
    return {"id": link, "name": name, "self_link": link}


@identity("google_compute_resource_policy")
def _policy_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    link = f"projects/{project(tf)}/regions/{_where(tf, 'region')}/resourcePolicies/{name}"
    return {"id": link, "name": name, "self_link": link}


def _network(ctx: Context, f: Fields, tf: TfResource) -> None:
    """The network's name, as the live collector keeps it (the last segment of its URL)."""
    value = ctx.ref(tf, tf.values.get("network", "default"))
    target = ctx.referenced(tf, value)
    if target is not None:
        f.set("network", ctx.identity_of(target)["name"], tf=tf, path="network")
    elif isinstance(value, Unknown):
        f.get("network", "network", placeholder="")
    else:
        f.set("network", _last_segment(value), tf=tf, path="network")


@adapter("gcp.compute.subnetworks", ["google_compute_subnetwork"])
def subnetworks(ctx: Context) -> list[Subnetwork]:
    out = []
    for tf in ctx.of_type("google_compute_subnetwork"):
        f = Fields(ctx, tf)
        _network(ctx, f, tf)
        f.get("purpose", default="PRIVATE", note="a subnetwork without purpose is a regular (PRIVATE) one")
        log = path_value(tf.values, "log_config")
        if isinstance(log, Unknown):
            f.get("flow_logs_enabled", "log_config", default=False)
        elif log in (MISSING, None, []):
            f.set("flow_logs_enabled", False, note="VPC flow logs are off unless a log_config block turns them on")
            f.set("flow_sampling", None)
            f.set("aggregation_interval", None)
            f.set("metadata", None)
        else:
            f.set("flow_logs_enabled", True, tf=tf, path="log_config")
            f.get("flow_sampling", "log_config.flow_sampling", default=0.5, convert=float)
            f.get("aggregation_interval", "log_config.aggregation_interval", default="INTERVAL_5_SEC")
            f.get("metadata", "log_config.metadata", default="INCLUDE_ALL_METADATA")
        ident = ctx.identity_of(tf)
        out.append(f.build(Subnetwork, id=ident["id"], name=ident["name"], region=_where(tf, "region")))
    return out


def _permissions(blocks: Any) -> Any:
    if isinstance(blocks, Unknown):
        return blocks
    out = []
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        if contains_unknown(block):
            return first_unknown(block)
        out.append(FirewallPermission(protocol=str(block.get("protocol", "")).lower(), ports=[str(p) for p in block.get("ports") or []]))
    return out


_permissions.accepts_unknown = True  # type: ignore[attr-defined]


def _string_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return sorted(str(v) for v in value)


@adapter("gcp.compute.firewalls", ["google_compute_firewall"])
def firewalls(ctx: Context) -> list[FirewallRule]:
    out = []
    for tf in ctx.of_type("google_compute_firewall"):
        f = Fields(ctx, tf)
        _network(ctx, f, tf)
        f.get("direction", default="INGRESS", note="a firewall rule is INGRESS unless direction says otherwise")
        f.get("disabled", default=False, convert=as_bool)
        denies = path_value(tf.values, "deny")
        if denies not in (MISSING, None, []):
            f.set("allows", False, tf=tf, path="deny")
            f.set("allowed", [])
        else:
            f.set("allows", True, tf=tf, path="allow")
            f.get("allowed", "allow", default=[], convert=_permissions)
        for field in ("source_ranges", "source_tags", "source_service_accounts"):
            f.get(field, default=[], convert=_string_list)
        log = path_value(tf.values, "log_config")
        if isinstance(log, Unknown):
            f.get("logging_enabled", "log_config", default=False)
        elif log not in (MISSING, None, []):
            f.set("logging_enabled", True, tf=tf, path="log_config")
        else:
            f.get("logging_enabled", "enable_logging", default=False, convert=as_bool, note="firewall rule logging is off unless a log_config block turns it on")
        name = name_or_address(tf.values.get("name"), tf)
        out.append(f.build(FirewallRule, id=f"projects/{project(tf)}/global/firewalls/{name}", name=name, region="global"))
    return out


@adapter("gcp.compute.resource_policies", ["google_compute_resource_policy"])
def resource_policies(ctx: Context) -> list[ResourcePolicy]:
    out = []
    for tf in ctx.of_type("google_compute_resource_policy"):
        f = Fields(ctx, tf)
        schedule = path_value(tf.values, "snapshot_schedule_policy")
        f.set("snapshot_schedule", schedule not in (MISSING, None, []), tf=tf, path="snapshot_schedule_policy")
        ident = ctx.identity_of(tf)
        out.append(f.build(ResourcePolicy, id=ident["id"], name=ident["name"], region=_where(tf, "region")))
    return out


def _disk_policies(ctx: Context, f: Fields, disk: TfResource) -> None:
    """Resource policies named on the disk and by google_compute_disk_resource_policy_attachment."""
    names: list[str] = []
    own = disk.values.get("resource_policies")
    for value in own if isinstance(own, list) else []:
        resolved = ctx.ref(disk, value)
        target = ctx.referenced(disk, resolved)
        if target is not None:
            names.append(ctx.identity_of(target)["name"])
        elif isinstance(resolved, str):
            names.append(_last_segment(resolved))
        else:
            f.unknown("resource_policies", disk, "resource_policies", resolved if isinstance(resolved, Unknown) else Unknown(("not a policy",)), names)
            return
    attachments = ctx.referrers(disk, SCHEDULE_ATTACHMENTS, "disk", "name", "id", "self_link")
    for attachment in attachments:
        value = attachment.values.get("name")
        target = ctx.referenced(attachment, value)
        if target is not None:
            names.append(ctx.identity_of(target)["name"])
        elif isinstance(value, str):
            names.append(_last_segment(value))
        else:
            f.unknown("resource_policies", attachment, "name", value if isinstance(value, Unknown) else Unknown(("no name",)), names)
            return
    f.set("resource_policies", sorted(set(names)), tf=attachments[-1] if attachments else disk, path=None if attachments else "resource_policies")
    unsure = ctx.unresolved_referrers(SCHEDULE_ATTACHMENTS, "disk", disk.root)
    if unsure:
        f.unresolved["resource_policies"] = f"{unsure[0].address}.disk is not known, so it may attach a policy to this disk"


@adapter("gcp.compute.disks", ["google_compute_disk", *SCHEDULE_ATTACHMENTS])
def disks(ctx: Context) -> list[Disk]:
    out = []
    for tf in ctx.of_type("google_compute_disk"):
        f = Fields(ctx, tf)
        zone = _where(tf, "zone")
        f.set("zone", zone)
        f.get("size_gb", "size", convert=int)
        key = path_value(tf.values, "disk_encryption_key")
        if isinstance(key, Unknown):
            f.get("kms_key_name", "disk_encryption_key")
            f.set("csek", False)
        elif key in (MISSING, None, []):
            f.set("kms_key_name", None, note="without disk_encryption_key Compute Engine encrypts the disk with a Google-managed key")
            f.set("csek", False)
        else:
            f.get("kms_key_name", "disk_encryption_key.kms_key_self_link", ref=True)
            supplied = any(path_value(tf.values, f"disk_encryption_key.{k}") not in (MISSING, None) for k in ("raw_key", "rsa_encrypted_key"))
            f.set("csek", supplied and f.values.get("kms_key_name") is None, tf=tf, path="disk_encryption_key")
        _disk_policies(ctx, f, tf)
        f.set("users", [])
        ident = ctx.identity_of(tf)
        out.append(f.build(Disk, id=ident["id"], name=ident["name"], region=zone))
    return out


def _metadata(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, dict):
        raise ValueError("not a map")
    unknown = first_unknown(value)
    if unknown is not None:
        return unknown
    return {str(k): ("true" if v is True else "false" if v is False else str(v)) for k, v in value.items()}


_metadata.accepts_unknown = True  # type: ignore[attr-defined]


@adapter("gcp.compute.instances", ["google_compute_instance"])
def instances(ctx: Context) -> list[Instance]:
    out = []
    for tf in ctx.of_type("google_compute_instance"):
        f = Fields(ctx, tf)
        zone = _where(tf, "zone")
        f.set("zone", zone)
        f.get("status", "desired_status", default="RUNNING")
        f.get("metadata", default={}, convert=_metadata)
        f.get("deletion_protection", default=False, convert=as_bool, note="instances have no deletion protection unless deletion_protection = true")
        accounts = path_value(tf.values, "service_account")
        emails = [a.get("email") for a in accounts if isinstance(a, dict)] if isinstance(accounts, list) else []
        f.set("service_accounts", sorted(e if isinstance(e, str) else "(default compute service account)" for e in emails), tf=tf, path="service_account")
        labels = tf.values.get("labels")
        f.set("gke_node", isinstance(labels, dict) and "goog-gke-node" in labels)
        name = name_or_address(tf.values.get("name"), tf)
        out.append(f.build(Instance, id=f"projects/{project(tf)}/zones/{zone}/instances/{name}", name=name, region=zone))
    return out


@adapter("gcp.compute.backend_services", ["google_compute_backend_service", "google_compute_region_backend_service"])
def backend_services(ctx: Context) -> list[BackendService]:
    out = []
    for tf in ctx.of_type("google_compute_backend_service", "google_compute_region_backend_service"):
        f = Fields(ctx, tf)
        regional = tf.type == "google_compute_region_backend_service"
        f.get("protocol", default="HTTP" if not regional else None)
        f.get("load_balancing_scheme", default="EXTERNAL" if not regional else "INTERNAL")
        f.get("logging_enabled", "log_config.enable", default=False, convert=as_bool, note="request logging is off unless log_config { enable = true }")
        if f.values.get("logging_enabled") is True:
            f.get("sample_rate", "log_config.sample_rate", default=1.0, convert=float)
        name = name_or_address(tf.values.get("name"), tf)
        region = _where(tf, "region") if regional else "global"
        where = f"regions/{region}" if regional else "global"
        out.append(f.build(BackendService, id=f"projects/{project(tf)}/{where}/backendServices/{name}", name=name, region=region))
    return out


@adapter(
    "gcp.compute.project_metadata",
    ["google_compute_project_metadata", "google_compute_project_metadata_item"],
    absent="no google_compute_project_metadata(_item) here: the project's metadata is managed elsewhere (or by hand)",
)
def project_metadata(ctx: Context) -> list[ProjectMetadata]:
    by_project: dict[str, tuple[TfResource, Fields, dict[str, str]]] = {}
    for tf in ctx.of_type("google_compute_project_metadata", "google_compute_project_metadata_item"):
        name = project(tf)
        if name not in by_project:
            by_project[name] = (tf, Fields(ctx, tf), {})
        first, f, items = by_project[name]
        if tf.type == "google_compute_project_metadata":
            value = f.get("items", "metadata", tf=tf, default={}, convert=_metadata)
            if isinstance(value, dict):
                items.update(value)
        else:
            key, value = tf.values.get("key"), tf.values.get("value")
            if isinstance(key, str) and isinstance(value, str):
                items[key] = value
                f.spans["items"] = f.span(tf, None)
            else:
                f.unknown("items", tf, "value" if isinstance(key, str) else "key", value if isinstance(value, Unknown) else key, items)
    out = []
    for name, (tf, f, items) in sorted(by_project.items()):
        if "items" not in f.unresolved:
            f.values["items"] = dict(sorted(items.items()))
        out.append(f.build(ProjectMetadata, id=f"projects/{name}/metadata", name=name, region="global"))
    return out
