"""Compute Engine: project metadata, instances, disks, snapshots, resource policies, networks,
subnetworks, firewall rules, backend services and managed instance groups.

Zonal and regional resources are read with aggregatedList (one call per project and page) rather
than one list per zone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.gcp._facets import last_segment, metadata_items, parse_time
from scanner.collect.registry import collector
from scanner.models.gcp.compute import (
    BackendService,
    Disk,
    FirewallPermission,
    FirewallRule,
    Instance,
    InstanceGroupManager,
    Network,
    ProjectMetadata,
    ResourcePolicy,
    Snapshot,
    Subnetwork,
)

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


def _id(scope: GcpScope, item: dict) -> str:
    """A stable resource id: the selfLink's path from "projects/" on."""
    link = item.get("selfLink") or ""
    return link[link.index("projects/"):] if "projects/" in link else f"projects/{scope.project}/{item.get('name')}"


@collector("gcp.compute.project_metadata", regional=True, permissions=["compute.projects.get"])
def project_metadata(scope: GcpScope) -> list[ProjectMetadata]:
    project = scope.call("compute", "projects.get", project=scope.project)
    return [
        ProjectMetadata(
            id=f"projects/{scope.project}/metadata",
            name=scope.project,
            region="global",
            account=scope.account,
            items=metadata_items(project.get("commonInstanceMetadata")),
        )
    ]


@collector("gcp.compute.instances", regional=True, permissions=["compute.instances.list"])
def instances(scope: GcpScope) -> list[Instance]:
    found = scope.aggregated("compute", "instances.aggregatedList", "instances", project=scope.project)
    return [
        Instance(
            id=_id(scope, i),
            name=i["name"],
            region=last_segment(i.get("zone")),
            account=scope.account,
            zone=last_segment(i.get("zone")),
            status=i.get("status", ""),
            metadata=metadata_items(i.get("metadata")),
            deletion_protection=bool(i.get("deletionProtection", False)),
            service_accounts=sorted(sa.get("email", "") for sa in i.get("serviceAccounts") or []),
            gke_node="goog-gke-node" in (i.get("labels") or {}),
        )
        for i in found
    ]


@collector("gcp.compute.disks", regional=True, permissions=["compute.disks.list"])
def disks(scope: GcpScope) -> list[Disk]:
    found = scope.aggregated("compute", "disks.aggregatedList", "disks", project=scope.project)
    result = []
    for d in found:
        key = d.get("diskEncryptionKey") or {}
        location = last_segment(d.get("zone") or d.get("region"))
        result.append(
            Disk(
                id=_id(scope, d),
                name=d["name"],
                region=location,
                account=scope.account,
                zone=location,
                size_gb=int(d["sizeGb"]) if d.get("sizeGb") else None,
                kms_key_name=key.get("kmsKeyName"),
                csek=bool(key.get("sha256") and not key.get("kmsKeyName")),
                resource_policies=sorted(last_segment(p) for p in d.get("resourcePolicies") or []),
                users=sorted(last_segment(u) for u in d.get("users") or []),
            )
        )
    return result


@collector("gcp.compute.snapshots", regional=True, permissions=["compute.snapshots.list"])
def snapshots(scope: GcpScope) -> list[Snapshot]:
    found = scope.pages("compute", "snapshots.list", "items", project=scope.project)
    return [
        Snapshot(
            id=_id(scope, s),
            name=s["name"],
            region="global",
            account=scope.account,
            source_disk=s.get("sourceDisk"),
            created_at=parse_time(s.get("creationTimestamp")),
            status=s.get("status"),
        )
        for s in found
    ]


@collector("gcp.compute.resource_policies", regional=True, permissions=["compute.resourcePolicies.list"])
def resource_policies(scope: GcpScope) -> list[ResourcePolicy]:
    found = scope.aggregated("compute", "resourcePolicies.aggregatedList", "resourcePolicies", project=scope.project)
    return [
        ResourcePolicy(
            id=_id(scope, p),
            name=p["name"],
            region=last_segment(p.get("region")),
            account=scope.account,
            snapshot_schedule="snapshotSchedulePolicy" in p,
        )
        for p in found
    ]


@collector("gcp.compute.networks", regional=True, permissions=["compute.networks.list"])
def networks(scope: GcpScope) -> list[Network]:
    found = scope.pages("compute", "networks.list", "items", project=scope.project)
    return [
        Network(
            id=_id(scope, n),
            name=n["name"],
            region="global",
            account=scope.account,
            auto_create_subnetworks=n.get("autoCreateSubnetworks"),
            legacy="IPv4Range" in n,
        )
        for n in found
    ]


@collector("gcp.compute.subnetworks", regional=True, permissions=["compute.subnetworks.list"])
def subnetworks(scope: GcpScope) -> list[Subnetwork]:
    found = scope.aggregated("compute", "subnetworks.aggregatedList", "subnetworks", project=scope.project)
    result = []
    for s in found:
        log = s.get("logConfig") or {}
        result.append(
            Subnetwork(
                id=_id(scope, s),
                name=s["name"],
                region=last_segment(s.get("region")),
                account=scope.account,
                network=last_segment(s.get("network")),
                purpose=s.get("purpose"),
                flow_logs_enabled=bool(log.get("enable", s.get("enableFlowLogs", False))),
                flow_sampling=log.get("flowSampling"),
                aggregation_interval=log.get("aggregationInterval"),
                metadata=log.get("metadata"),
            )
        )
    return result


@collector("gcp.compute.firewalls", regional=True, permissions=["compute.firewalls.list"])
def firewalls(scope: GcpScope) -> list[FirewallRule]:
    found = scope.pages("compute", "firewalls.list", "items", project=scope.project)
    return [
        FirewallRule(
            id=_id(scope, f),
            name=f["name"],
            region="global",
            account=scope.account,
            network=last_segment(f.get("network")),
            direction=f.get("direction", "INGRESS"),
            disabled=bool(f.get("disabled", False)),
            allows="allowed" in f,
            allowed=[FirewallPermission(protocol=str(a.get("IPProtocol", "")).lower(), ports=list(a.get("ports") or []))
                     for a in f.get("allowed") or []],
            source_ranges=sorted(f.get("sourceRanges") or []),
            source_tags=sorted(f.get("sourceTags") or []),
            source_service_accounts=sorted(f.get("sourceServiceAccounts") or []),
            logging_enabled=bool((f.get("logConfig") or {}).get("enable", False)),
        )
        for f in found
    ]


@collector("gcp.compute.backend_services", regional=True, permissions=["compute.backendServices.list"])
def backend_services(scope: GcpScope) -> list[BackendService]:
    found = scope.aggregated("compute", "backendServices.aggregatedList", "backendServices", project=scope.project)
    return [
        BackendService(
            id=_id(scope, b),
            name=b["name"],
            region=last_segment(b.get("region")) or "global",
            account=scope.account,
            protocol=b.get("protocol"),
            load_balancing_scheme=b.get("loadBalancingScheme"),
            logging_enabled=bool((b.get("logConfig") or {}).get("enable", False)),
            sample_rate=(b.get("logConfig") or {}).get("sampleRate"),
        )
        for b in found
    ]


@collector("gcp.compute.instance_group_managers", regional=True, permissions=["compute.instanceGroupManagers.list"])
def instance_group_managers(scope: GcpScope) -> list[InstanceGroupManager]:
    found = scope.aggregated("compute", "instanceGroupManagers.aggregatedList", "instanceGroupManagers", project=scope.project)
    result = []
    for m in found:
        regional = bool(m.get("region"))
        zones = [last_segment(z.get("zone")) for z in (m.get("distributionPolicy") or {}).get("zones") or []]
        if not zones and m.get("zone"):
            zones = [last_segment(m["zone"])]
        result.append(
            InstanceGroupManager(
                id=_id(scope, m),
                name=m["name"],
                region=last_segment(m.get("region") or m.get("zone")),
                account=scope.account,
                zones=sorted(set(zones)),
                regional=regional,
                target_size=m.get("targetSize"),
            )
        )
    return result
