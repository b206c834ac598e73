"""Compute Engine: OS Login, SSH keys, disk encryption and snapshots, flow logs, firewall and load
balancer logging, deletion protection, multi-zone instance groups."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from checks._network import ALL_PORTS, internet_sources, parse_port_range
from scanner.models.common import Category, Severity
from scanner.models.gcp.compute import FirewallPermission, FirewallRule
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory

TRUE = ("true", "1", "yes", "y", "on")
# Subnetwork.purpose values of a regular subnet (compute v1 discovery document: both PRIVATE and the
# older PRIVATE_RFC_1918 read "Regular user created or automatically created subnet").
REGULAR_SUBNET_PURPOSES = (None, "PRIVATE", "PRIVATE_RFC_1918")
# Firewall IPProtocol values (names or IANA numbers) that carry SSH and RDP.
ALL_PROTOCOLS = ("all",)
TCP = ("tcp", "6")
UDP = ("udp", "17")


def _flag(items: dict[str, str], key: str) -> bool | None:
    value = items.get(key)
    return None if value is None else value.strip().lower() in TRUE


@check(
    id="gcp.compute.project_oslogin_enabled",
    title="OS Login is enabled in project metadata",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="compute.googleapis.com/Project",
    reads=["gcp.compute.project_metadata"],
    remediation="gcloud compute project-info add-metadata --metadata enable-oslogin=TRUE (or enforce the "
    "compute.requireOsLogin organization policy).",
)
def project_oslogin_enabled(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """OS Login ties SSH access to IAM identities (and their 2SV) instead of unmanaged keys in
    metadata, so revoking a person's IAM access revokes their SSH access (CC6.1, CC6.2)."""
    for meta in inv.compute.project_metadata:
        value = meta.items.get("enable-oslogin")
        if _flag(meta.items, "enable-oslogin"):
            yield Result.passed(meta, f"enable-oslogin is {value}", enable_oslogin=value)
        else:
            yield Result.failed(meta, f"enable-oslogin is {value or 'not set'}", enable_oslogin=value)


@check(
    id="gcp.compute.project_oslogin_2fa",
    title="OS Login requires 2-step verification in project metadata",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="compute.googleapis.com/Project",
    reads=["gcp.compute.project_metadata"],
    params={"exempt_projects": []},
    remediation="gcloud compute project-info add-metadata --metadata enable-oslogin=TRUE,enable-oslogin-2fa=TRUE",
)
def project_oslogin_2fa(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """With enable-oslogin-2fa, every SSH login asks for the user's second factor, so a stolen
    workstation key alone does not open a shell on production (CC6.1). List projects where this is
    not required in exempt_projects."""
    exempt = set(ctx.params["exempt_projects"])
    for meta in inv.compute.project_metadata:
        if meta.account in exempt:
            continue
        oslogin, twofa = _flag(meta.items, "enable-oslogin"), _flag(meta.items, "enable-oslogin-2fa")
        evidence = {"enable_oslogin": meta.items.get("enable-oslogin"), "enable_oslogin_2fa": meta.items.get("enable-oslogin-2fa")}
        if oslogin and twofa:
            yield Result.passed(meta, "enable-oslogin and enable-oslogin-2fa are TRUE", **evidence)
        elif not oslogin:
            yield Result.failed(meta, "enable-oslogin is not TRUE, so OS Login 2FA cannot apply", **evidence)
        else:
            yield Result.failed(meta, f"enable-oslogin-2fa is {evidence['enable_oslogin_2fa'] or 'not set'}", **evidence)


@check(
    id="gcp.compute.instance_block_project_ssh_keys",
    title="Instances block project-wide SSH keys",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="compute.googleapis.com/Instance",
    reads=["gcp.compute.instances"],
    remediation="gcloud compute instances add-metadata INSTANCE --metadata block-project-ssh-keys=TRUE (or use OS Login).",
)
def instance_block_project_ssh_keys(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A key in project metadata opens every instance in the project; blocking it per instance
    limits a leaked key's reach (CC6.1). GKE nodes are managed by GKE and not evaluated."""
    for instance in inv.compute.instances:
        if instance.gke_node:
            continue
        value = instance.metadata.get("block-project-ssh-keys")
        if _flag(instance.metadata, "block-project-ssh-keys"):
            yield Result.passed(instance, f"block-project-ssh-keys is {value}")
        else:
            yield Result.failed(instance, f"block-project-ssh-keys is {value or 'not set'}", block_project_ssh_keys=value)


@check(
    id="gcp.compute.disk_cmek",
    title="Persistent disks are encrypted with customer-managed (or customer-supplied) keys",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="compute.googleapis.com/Disk",
    reads=["gcp.compute.disks"],
    params={"allow_csek": True},
    remediation="Disks cannot be re-keyed in place: snapshot the disk and create a new disk from it with --kms-key.",
)
def disk_cmek(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Every disk is encrypted by Google; a customer-managed key adds key-use audit logs and the
    ability to revoke access by disabling the key (C1.1, CC6.1). With allow_csek false,
    customer-supplied keys fail too."""
    for disk in inv.compute.disks:
        if disk.kms_key_name:
            yield Result.passed(disk, f"encrypted with CMEK {disk.kms_key_name.split('/cryptoKeyVersions/')[0]}", kms_key_name=disk.kms_key_name)
        elif disk.csek and ctx.params["allow_csek"]:
            yield Result.passed(disk, "encrypted with a customer-supplied key (CSEK)", csek=True)
        elif disk.csek:
            yield Result.failed(disk, "encrypted with a customer-supplied key; a customer-managed KMS key is required", csek=True)
        else:
            yield Result.failed(disk, "encrypted with a Google-managed key (no diskEncryptionKey.kmsKeyName)")


@check(
    id="gcp.compute.subnet_flow_logs",
    title="VPC subnetworks have flow logs enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="compute.googleapis.com/Subnetwork",
    reads=["gcp.compute.subnetworks"],
    remediation="gcloud compute networks subnets update SUBNET --region R --enable-flow-logs",
)
def subnet_flow_logs(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Flow logs record which hosts talked to which, the evidence to scope an intrusion or exfiltration
    (CC7.2). Regular subnets (purpose PRIVATE, PRIVATE_RFC_1918 or none) are judged; proxy-only,
    Private Service Connect, Private NAT and other special-purpose subnets cannot have flow logs and
    are skipped."""
    for subnet in inv.compute.subnetworks:
        if subnet.purpose not in REGULAR_SUBNET_PURPOSES:
            continue
        if subnet.flow_logs_enabled:
            yield Result.passed(subnet, "logConfig.enable is true", flow_sampling=subnet.flow_sampling, aggregation_interval=subnet.aggregation_interval)
        else:
            yield Result.failed(subnet, "logConfig.enable is false or unset (no VPC flow logs)", purpose=subnet.purpose)


@check(
    id="gcp.compute.firewall_rule_logging",
    title="Firewall rules have logging enabled",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="compute.googleapis.com/Firewall",
    reads=["gcp.compute.firewalls"],
    params={"only_internet_facing": False},
    remediation="gcloud compute firewall-rules update RULE --enable-logging",
)
def firewall_rule_logging(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Firewall rule logs show which connections each rule allowed or denied, so an investigation
    can tell whether a rule was exploited (CC7.2, CC6.6). With only_internet_facing, only rules
    whose sources include 0.0.0.0/0 are evaluated. Disabled rules are skipped."""
    for rule in inv.compute.firewalls:
        if rule.disabled:
            continue
        if ctx.params["only_internet_facing"] and not {"0.0.0.0/0", "::/0"} & set(rule.source_ranges):
            continue
        if rule.logging_enabled:
            yield Result.passed(rule, "logConfig.enable is true")
        else:
            yield Result.failed(rule, "logConfig.enable is false", source_ranges=rule.source_ranges, direction=rule.direction)


@check(
    id="gcp.compute.backend_service_logging",
    title="Load balancer backend services have request logging enabled",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="compute.googleapis.com/BackendService",
    reads=["gcp.compute.backend_services"],
    remediation="gcloud compute backend-services update NAME [--global|--region R] --enable-logging --logging-sample-rate=1",
)
def backend_service_logging(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Load balancer request logs are the access log of an internet-facing service: who called
    what, from where, with which response (CC7.2)."""
    for service in inv.compute.backend_services:
        if service.logging_enabled:
            yield Result.passed(service, f"logConfig.enable is true (sampleRate {service.sample_rate})", sample_rate=service.sample_rate)
        else:
            yield Result.failed(service, "logConfig.enable is false or absent")


@check(
    id="gcp.compute.disk_snapshot_schedule",
    title="Persistent disks are covered by a snapshot schedule",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="compute.googleapis.com/Disk",
    reads=["gcp.compute.disks", "gcp.compute.resource_policies"],
    optional=["gcp.compute.resource_policies"],
    remediation="Create a snapshot schedule resource policy and attach it: gcloud compute disks add-resource-policies DISK "
    "--resource-policies SCHEDULE --zone Z",
)
def disk_snapshot_schedule(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A snapshot schedule takes backups without anyone remembering to; A1.2 expects data to be
    backed up on a defined schedule. A disk with no resource policy attached has none, whether or not
    the project's resource policies could be read; one with policies needs them read to tell."""
    schedules = {(p.account, p.name) for p in inv.compute.resource_policies if p.snapshot_schedule}
    for disk in inv.compute.disks:
        attached = [p for p in disk.resource_policies if (disk.account, p) in schedules]
        if attached:
            yield Result.passed(disk, f"snapshot schedule {', '.join(attached)} attached", schedules=attached)
        elif disk.resource_policies and (unread := ctx.missing("gcp.compute.resource_policies", disk)):
            yield Result.error(disk, f"resource policies {', '.join(disk.resource_policies)} could not be read: {unread}",
                               resource_policies=disk.resource_policies)
        else:
            yield Result.failed(disk, "no snapshot schedule resource policy attached", resource_policies=disk.resource_policies)


@check(
    id="gcp.compute.disk_recent_snapshot",
    title="Persistent disks have a snapshot younger than the configured days",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="compute.googleapis.com/Disk",
    reads=["gcp.compute.disks", "gcp.compute.snapshots"],
    params={"max_age_days": Param(7, minimum=1, maximum=3650)},
    remediation="Attach a snapshot schedule to the disk and check that its snapshots succeed.",
)
def disk_recent_snapshot(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A schedule is the intent; a recent READY snapshot is the evidence a backup actually exists
    (A1.2, CC7.5)."""
    limit = ctx.params["max_age_days"]
    latest: dict[str, object] = {}
    for snap in inv.compute.snapshots:
        if snap.status not in (None, "READY") or not snap.source_disk or snap.created_at is None:
            continue
        key = snap.source_disk[snap.source_disk.find("projects/"):]
        if key not in latest or snap.created_at > latest[key]:  # type: ignore[operator]
            latest[key] = snap.created_at
    for disk in inv.compute.disks:
        when = latest.get(disk.id)
        age = ctx.days_since(when) if when else None  # type: ignore[arg-type]
        if age is None:
            yield Result.failed(disk, "no READY snapshot of this disk")
        elif age <= limit:
            yield Result.passed(disk, f"latest snapshot is {count(age, 'day')} old (limit {limit})", latest_snapshot_age_days=age)
        else:
            yield Result.failed(disk, f"latest snapshot is {count(age, 'day')} old (limit {limit})", latest_snapshot_age_days=age)


@check(
    id="gcp.compute.instance_deletion_protection",
    title="VM instances have deletion protection",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="compute.googleapis.com/Instance",
    reads=["gcp.compute.instances"],
    params={"exempt_mig_instances": True},
    remediation="gcloud compute instances update INSTANCE --zone Z --deletion-protection",
)
def instance_deletion_protection(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Deletion protection stops an accidental or scripted delete of a stateful VM (A1.2).
    Instances created by a managed instance group are recreated by the group and are exempt
    unless exempt_mig_instances is false."""
    for instance in inv.compute.instances:
        if instance.gke_node or (ctx.params["exempt_mig_instances"] and "created-by" in instance.metadata):
            continue
        if instance.deletion_protection:
            yield Result.passed(instance, "deletionProtection is true")
        else:
            yield Result.failed(instance, "deletionProtection is false")


@check(
    id="gcp.compute.mig_multi_zone",
    title="Managed instance groups span more than one zone",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="compute.googleapis.com/InstanceGroupManager",
    reads=["gcp.compute.instance_group_managers"],
    params={"min_zones": Param(2, minimum=1, maximum=4)},
    remediation="Replace the zonal group with a regional managed instance group distributing instances over several zones.",
)
def mig_multi_zone(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A zonal group goes down with its zone; spreading instances over zones keeps the service
    available through a zone outage (A1.2, CC9.1)."""
    need = ctx.params["min_zones"]
    for group in inv.compute.instance_group_managers:
        if len(group.zones) >= need:
            yield Result.passed(group, f"instances distributed over {len(group.zones)} zones: {', '.join(group.zones)}", zones=group.zones)
        else:
            yield Result.failed(group, f"instances in {len(group.zones)} zone(s): {', '.join(group.zones) or 'none'}", zones=group.zones, regional=group.regional)


def _internet_sources(rule: FirewallRule) -> list[str]:
    """The sources of an ingress rule that mean the whole internet (an ingress rule with no source at
    all applies to 0.0.0.0/0)."""
    if not (rule.source_ranges or rule.source_tags or rule.source_service_accounts):
        return ["0.0.0.0/0 (no source set)"]
    return internet_sources(rule.source_ranges)


def _opening(rule: FirewallRule, protocols: tuple[str, ...], covers: Callable[[int, int], bool]) -> FirewallPermission | None:
    """The first `allowed` entry for one of `protocols` (or all protocols) whose ports satisfy `covers`."""
    for permission in rule.allowed:
        if permission.protocol in ALL_PROTOCOLS:
            return permission
        if permission.protocol not in protocols:
            continue
        spans = [span for span in map(parse_port_range, permission.ports) if span] if permission.ports else [ALL_PORTS]
        if any(covers(low, high) for low, high in spans):
            return permission
    return None


def _firewall_exposure(inv: GcpInventory, what: str, protocols: tuple[str, ...], covers: Callable[[int, int], bool]) -> Iterator[Result]:
    """One verdict per enabled INGRESS allow rule: FAIL when it opens `what` to the internet."""
    for rule in inv.compute.firewalls:
        if rule.disabled or rule.direction != "INGRESS" or not rule.allows:
            continue  # deny, egress and disabled rules open nothing
        sources = _internet_sources(rule)
        opening = _opening(rule, protocols, covers) if sources else None
        evidence = {"source_ranges": rule.source_ranges, "allowed": [f"{a.protocol}:{','.join(a.ports) or 'all'}" for a in rule.allowed]}
        if opening is not None:
            yield Result.failed(rule, f"allows {_describe(opening)} from {', '.join(sources)}: {what} is open to the internet", **evidence)
        elif sources:
            yield Result.passed(rule, f"open to {', '.join(sources)}, but not for {what}", **evidence)
        else:
            yield Result.passed(rule, "no source range covers the whole internet", **evidence)


def _describe(permission: FirewallPermission) -> str:
    if permission.protocol in ALL_PROTOCOLS:
        return "all protocols"
    return f"{permission.protocol}:{','.join(permission.ports)}" if permission.ports else f"{permission.protocol} on every port"


def _port(port: int) -> Callable[[int, int], bool]:
    return lambda low, high: low <= port <= high


@check(
    id="gcp.compute.firewall_ssh_restricted",
    title="Firewall rules do not allow SSH (22) from the internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type="compute.googleapis.com/Firewall",
    reads=["gcp.compute.firewalls"],
    remediation="Narrow the rule's source ranges to known networks (Identity-Aware Proxy TCP forwarding uses 35.235.240.0/20) "
    "or delete it: gcloud compute firewall-rules update RULE --source-ranges=RANGES",
)
def firewall_ssh_restricted(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """SSH open to any address is scanned and brute-forced within minutes; administration ports are
    restricted to known sources such as IAP, a VPN or a bastion (CIS GCP 3.6; CC6.6, CC6.1). FAIL when
    an enabled INGRESS rule allows tcp 22 (or all protocols) from 0.0.0.0/0 or ::/0; a rule with no
    source at all applies to 0.0.0.0/0."""
    yield from _firewall_exposure(inv, "SSH", TCP, _port(22))


@check(
    id="gcp.compute.firewall_rdp_restricted",
    title="Firewall rules do not allow RDP (3389) from the internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type="compute.googleapis.com/Firewall",
    reads=["gcp.compute.firewalls"],
    remediation="Narrow the rule's source ranges to known networks (IAP TCP forwarding uses 35.235.240.0/20) or delete it.",
)
def firewall_rdp_restricted(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """RDP open to any address is the most common way into Windows hosts (brute force, RDP flaws);
    administration ports are restricted to known sources (CIS GCP 3.7; CC6.6, CC6.1). FAIL when an
    enabled INGRESS rule allows tcp or udp 3389 (or all protocols) from 0.0.0.0/0 or ::/0 (or has no
    source at all)."""
    yield from _firewall_exposure(inv, "RDP", TCP + UDP, _port(3389))


@check(
    id="gcp.compute.firewall_all_ports_restricted",
    title="Firewall rules do not allow every port from the internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type="compute.googleapis.com/Firewall",
    reads=["gcp.compute.firewalls"],
    remediation="Replace the rule with rules for the ports the workload serves (e.g. tcp:443), from the sources that need them.",
)
def firewall_all_ports_restricted(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A rule that opens every port to the internet exposes every service on the instances it
    targets, including ones nobody meant to publish (CC6.6). FAIL when an enabled INGRESS rule
    allows all protocols, or every tcp or udp port, from 0.0.0.0/0 or ::/0 (or has no source at all)."""
    yield from _firewall_exposure(inv, "every port", TCP + UDP, lambda low, high: (low, high) == ALL_PORTS)

