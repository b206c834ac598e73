"""EC2: EBS encryption (account default, volumes, snapshots), public snapshots and AMIs, IMDSv2,
EBS backups (recent snapshots, Backup/DLM protection), VPC flow logs, network exposure (security
groups, the default security group, network ACLs)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from checks._network import ADMIN_PORTS, ALL_PORTS, INTERNET_RANGES, internet_sources, port_label
from scanner.models.aws.ec2 import NetworkAcl, NetworkAclEntry, SecurityGroup, SecurityGroupPermission
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.ec2.ebs_encryption_by_default",
    title="EBS encryption by default is enabled in every region",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::EC2::Region",
    reads=["aws.ec2.ebs_encryption_by_default:default_kms_key"],
    optional=["aws.ec2.ebs_encryption_by_default:default_kms_key"],  # evidence only: the setting decides
    remediation="EC2 console > Settings > EBS encryption > Always encrypt new EBS volumes, in each region "
    "(aws ec2 enable-ebs-encryption-by-default --region R).",
)
def ebs_encryption_by_default(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With the regional default on, no new volume or snapshot copy can be created unencrypted,
    which makes encryption at rest a preventive control rather than a detective one."""
    for setting in inv.ec2.ebs_encryption_by_default:
        if setting.enabled:
            yield Result.passed(setting, "EbsEncryptionByDefault is true", default_kms_key_id=setting.default_kms_key_id)
        else:
            yield Result.failed(setting, "EbsEncryptionByDefault is false")


@check(
    id="aws.ec2.volume_encrypted",
    title="EBS volumes are encrypted",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::EC2::Volume",
    reads=["aws.ec2.volumes"],
    remediation="Snapshot the volume, copy the snapshot with encryption, create a volume from it and swap it in.",
)
def volume_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Unencrypted volumes and their snapshots expose data to anyone who can copy them (C1.1, CC6.1)."""
    for volume in inv.ec2.volumes:
        if volume.encrypted:
            yield Result.passed(volume, "Encrypted is true", kms_key_id=volume.kms_key_id)
        else:
            yield Result.failed(volume, "Encrypted is false", attached_instance_ids=volume.attached_instance_ids)


@check(
    id="aws.ec2.vpc_flow_logs",
    title="Every VPC has flow logs enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::EC2::VPC",
    reads=["aws.ec2.vpcs", "aws.ec2.flow_logs"],
    remediation="Create a flow log for the VPC (traffic type ALL) to CloudWatch Logs or S3.",
)
def vpc_flow_logs(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Flow logs record network connections to and from the VPC, the evidence for detecting and
    investigating anomalous traffic (CC7.2)."""
    active: dict[str, list[str]] = {}
    for flow in inv.ec2.flow_logs:
        if flow.status == "ACTIVE":
            active.setdefault(flow.resource_id, []).append(flow.traffic_type)
    for vpc in inv.ec2.vpcs:
        vpc_id = vpc.id.rsplit("/", 1)[-1]
        traffic = active.get(vpc_id)
        if traffic:
            yield Result.passed(
                vpc, f"active flow log capturing {', '.join(sorted(traffic))} traffic", traffic_types=sorted(traffic)
            )
        else:
            yield Result.failed(vpc, "no active flow log on this VPC", is_default=vpc.is_default)


# -- instances --------------------------------------------------------------------------------------

GONE_INSTANCE_STATES = ("shutting-down", "terminated")


@check(
    id="aws.ec2.instance_imdsv2_required",
    title="EC2 instances require IMDSv2 (session tokens) for instance metadata",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::EC2::Instance",
    reads=["aws.ec2.instances"],
    remediation="aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required "
    "--http-endpoint enabled; set HttpTokens=required in launch templates, and the account default "
    "with aws ec2 modify-instance-metadata-defaults --http-tokens required.",
)
def instance_imdsv2_required(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The instance metadata service hands out the instance role's temporary credentials. With
    IMDSv1 allowed, a server-side request forgery in any application on the instance lets an outside
    attacker read those credentials with a single GET; IMDSv2 requires a session token obtained by a
    PUT that such requests cannot make (CC6.1 protection of credentials, CC6.6 outside threats).

    Stopped instances are judged too: they come back with the same metadata options when started.
    Terminated and terminating instances are skipped."""
    for instance in inv.ec2.instances:
        if instance.state in GONE_INSTANCE_STATES:
            continue
        if instance.http_endpoint == "disabled":
            yield Result.passed(instance, "HttpEndpoint is disabled: no instance metadata service", state=instance.state)
        elif instance.http_tokens == "required":
            yield Result.passed(instance, "HttpTokens is required (IMDSv2 only)", state=instance.state)
        elif instance.http_tokens is None:
            yield Result.unknown(instance, "MetadataOptions were not reported for this instance", state=instance.state)
        else:
            yield Result.failed(
                instance, f"HttpTokens is {instance.http_tokens}: IMDSv1 requests are accepted", state=instance.state
            )


# -- snapshots and AMIs -----------------------------------------------------------------------------


@check(
    id="aws.ec2.snapshot_encrypted",
    title="EBS snapshots are encrypted",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::EC2::Snapshot",
    reads=["aws.ec2.snapshots"],
    remediation="Copy the snapshot with --encrypted (and a KMS key), then delete the unencrypted one; enable EBS "
    "encryption by default so new snapshots are encrypted.",
)
def snapshot_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A snapshot is a full copy of a volume's data that outlives the volume and can be copied or
    shared; unless it is encrypted, anyone who obtains it reads the data in clear (C1.1, CC6.1)."""
    for snapshot in inv.ec2.snapshots:
        if snapshot.encrypted:
            yield Result.passed(snapshot, "Encrypted is true", kms_key_id=snapshot.kms_key_id, volume_id=snapshot.volume_id)
        else:
            yield Result.failed(snapshot, "Encrypted is false", volume_id=snapshot.volume_id)


@check(
    id="aws.ec2.snapshot_not_public",
    title="EBS snapshots are not public",
    severity=Severity.CRITICAL,
    category=Category.ENCRYPTION,
    resource_type="AWS::EC2::Snapshot",
    reads=["aws.ec2.snapshots:create_volume_permission"],
    remediation="aws ec2 modify-snapshot-attribute --snapshot-id ID --attribute createVolumePermission "
    "--operation-type remove --group-names all; enable the account's EBS block public access setting.",
)
def snapshot_not_public(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A snapshot whose createVolumePermission includes the group "all" can be restored by any AWS
    account in the world: its whole volume is disclosed (C1.1, CC6.1, CC6.7)."""
    for snapshot in inv.ec2.snapshots:
        if snapshot.public:
            yield Result.failed(snapshot, 'createVolumePermission grants the group "all": the snapshot is public')
        else:
            yield Result.passed(
                snapshot,
                "createVolumePermission does not include the group all",
                shared_with_accounts=snapshot.shared_with_accounts,
            )


@check(
    id="aws.ec2.ami_not_public",
    title="AMIs owned by the account are not public",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::EC2::Image",
    reads=["aws.ec2.images"],
    remediation='aws ec2 modify-image-attribute --image-id ID --launch-permission "Remove=[{Group=all}]"; '
    "enable block public access for AMIs (aws ec2 enable-image-block-public-access).",
)
def ami_not_public(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A public AMI can be launched by anyone, who then holds a copy of its disks: any credentials,
    keys or data baked into the image are disclosed (C1.1, CC6.1, CC6.7)."""
    for image in inv.ec2.images:
        if image.public:
            yield Result.failed(image, "Public is true: the launch permission includes the group all", state=image.state)
        else:
            yield Result.passed(image, "Public is false", state=image.state)


# -- EBS backups --------------------------------------------------------------------------------------

GONE_VOLUME_STATES = ("deleting", "deleted")


@check(
    id="aws.ec2.volume_recent_snapshot",
    title="EBS volumes have a snapshot no older than the configured days",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::EC2::Volume",
    reads=["aws.ec2.volumes", "aws.ec2.snapshots"],
    params={"max_age_days": Param(7, minimum=1, maximum=3650)},
    remediation="Protect the volume with an AWS Backup plan or a Data Lifecycle Manager policy that snapshots it "
    "at least as often as the configured days.",
)
def volume_recent_snapshot(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The newest completed snapshot of a volume bounds how much data is lost if the volume fails
    or is corrupted: a volume without a recent one cannot be recovered to a recent state (A1.2, CC7.5).
    Ages are measured from the collection time."""
    max_age = timedelta(days=ctx.params["max_age_days"])
    latest: dict[tuple[str, str], Any] = {}
    for snapshot in inv.ec2.snapshots:
        if snapshot.state != "completed" or not snapshot.volume_id or snapshot.start_time is None:
            continue
        key = (snapshot.region, snapshot.volume_id)
        if key not in latest or snapshot.start_time > latest[key].start_time:
            latest[key] = snapshot
    for volume in inv.ec2.volumes:
        if volume.state in GONE_VOLUME_STATES:
            continue
        snapshot = latest.get((volume.region, volume.volume_id))
        if snapshot is None:
            yield Result.failed(volume, "no completed snapshot of this volume")
            continue
        age = ctx.now - snapshot.start_time
        evidence = {"snapshot_id": snapshot.id.rsplit("/", 1)[-1], "snapshot_time": snapshot.start_time, "age_days": age.days}
        limit = ctx.params["max_age_days"]
        if age <= max_age:
            yield Result.passed(volume, f"latest snapshot is {count(age.days, 'day')} old (<= {limit})", **evidence)
        else:
            yield Result.failed(volume, f"latest snapshot is {count(age.days, 'day')} old (> {limit})", **evidence)


@check(
    id="aws.ec2.volume_backup_protected",
    title="EBS volumes are protected by AWS Backup or a Data Lifecycle Manager policy",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::EC2::Volume",
    reads=["aws.ec2.volumes", "aws.ec2.instances", "aws.dlm.policies", "aws.backup.protected_resources"],
    optional=["aws.ec2.instances", "aws.dlm.policies", "aws.backup.protected_resources"],
    remediation="Assign the volume (or its instance) to an AWS Backup plan, or tag it with the target tag of an "
    "enabled DLM snapshot policy (or create a DLM default policy for volumes).",
)
def volume_backup_protected(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A volume is protected when AWS Backup holds a recovery point of it or of the instance it is
    attached to (ListProtectedResources), or when an enabled DLM policy in its region targets it:
    a default policy for volumes or instances, or a custom snapshot/AMI policy whose target tags
    (any one of them) the volume or its instance carries (A1.2, CC7.5). Any one of these protects
    the volume, so a volume found protected by what could be read passes even if another source
    could not be read; a volume found unprotected is judged only when every source was read."""
    protected = inv.backup.protected_arns()
    instances = {(i.region, i.instance_id): i for i in inv.ec2.instances}
    policies: dict[str, list] = {}
    for policy in inv.dlm.policies:
        policies.setdefault(policy.region, []).append(policy)
    for volume in inv.ec2.volumes:
        if volume.state in GONE_VOLUME_STATES:
            continue
        attached = [instances[(volume.region, i)] for i in volume.attached_instance_ids if (volume.region, i) in instances]
        if volume.id in protected:
            yield Result.passed(volume, "AWS Backup protects the volume", last_backup_time=protected[volume.id].last_backup_time)
            continue
        by_instance = next((i for i in attached if i.id in protected), None)
        if by_instance is not None:
            yield Result.passed(
                volume, f"AWS Backup protects its instance {by_instance.instance_id}", instance=by_instance.instance_id
            )
            continue
        regional = policies.get(volume.region, [])
        policy = next((p for p in regional if p.targets("VOLUME", volume.tags)), None) or next(
            (p for p in regional for i in attached if p.targets("INSTANCE", i.tags)), None
        )
        if policy is not None:
            yield Result.passed(volume, f"DLM policy {policy.name} targets it", dlm_policy=policy.id)
            continue
        sources = ["aws.backup.protected_resources", "aws.dlm.policies"] + (["aws.ec2.instances"] if volume.attached_instance_ids else [])
        unread = [reason for key in sources if (reason := ctx.missing(key, volume))]
        if unread:
            yield Result.error(
                volume,
                "no AWS Backup recovery point or DLM policy found in what could be read: " + "; ".join(unread),
                attached_instance_ids=volume.attached_instance_ids,
            )
        else:
            yield Result.failed(
                volume,
                "no AWS Backup recovery point and no enabled DLM policy targets the volume or its instance",
                attached_instance_ids=volume.attached_instance_ids,
            )


# -- network exposure -------------------------------------------------------------------------------

ALL_TRAFFIC = "-1"
TCP = ("tcp", "6")
UDP = ("udp", "17")


def _opening(group: SecurityGroup, protocols: tuple[str, ...], covers: Callable[[int, int], bool]) -> tuple[SecurityGroupPermission, list[str]] | None:
    """The first inbound permission from 0.0.0.0/0 or ::/0, for all traffic or one of `protocols`,
    whose port range satisfies `covers`; with the internet ranges it names."""
    for permission in group.ingress:
        if permission.protocol != ALL_TRAFFIC:
            if permission.protocol not in protocols:
                continue
            low = 0 if permission.from_port in (None, -1) else permission.from_port
            high = 65535 if permission.to_port in (None, -1) else permission.to_port
            if not covers(low, high):
                continue
        sources = internet_sources(permission.ipv4_ranges + permission.ipv6_ranges)
        if sources:
            return permission, sources
    return None


def _describe(permission: SecurityGroupPermission) -> str:
    if permission.protocol == ALL_TRAFFIC:
        return "all traffic"
    ports = str(permission.from_port) if permission.from_port == permission.to_port else f"{permission.from_port}-{permission.to_port}"
    return f"{permission.protocol}:{ports}"


def _group_exposure(inv: AwsInventory, what: str, protocols: tuple[str, ...], covers: Callable[[int, int], bool]) -> Iterator[Result]:
    for group in inv.ec2.security_groups:
        evidence = {"group_id": group.group_id, "vpc_id": group.vpc_id}
        found = _opening(group, protocols, covers)
        if found is None:
            yield Result.passed(group, f"no inbound rule allows {what} from 0.0.0.0/0 or ::/0", **evidence)
        else:
            permission, sources = found
            yield Result.failed(group, f"inbound rule allows {_describe(permission)} from {', '.join(sources)}: {what} is open to the internet",
                                **evidence)


def _port(port: int) -> Callable[[int, int], bool]:
    return lambda low, high: low <= port <= high


@check(
    id="aws.ec2.security_group_ssh_restricted",
    title="Security groups do not allow SSH (22) from the internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type="AWS::EC2::SecurityGroup",
    reads=["aws.ec2.security_groups"],
    remediation="Remove the inbound rule from 0.0.0.0/0 or ::/0 (revoke-security-group-ingress) and reach instances through "
    "Systems Manager Session Manager, a VPN or a bastion restricted to known addresses.",
)
def security_group_ssh_restricted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """SSH open to any address is scanned and brute-forced within minutes; administration ports are
    restricted to known sources (CIS AWS 5.2, 5.3; CC6.6, CC6.1). FAIL when an inbound rule from
    0.0.0.0/0 or ::/0 allows tcp 22 or all traffic. Sources given as prefix lists or other security
    groups are not the whole internet."""
    yield from _group_exposure(inv, "SSH", TCP, _port(22))


@check(
    id="aws.ec2.security_group_rdp_restricted",
    title="Security groups do not allow RDP (3389) from the internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type="AWS::EC2::SecurityGroup",
    reads=["aws.ec2.security_groups"],
    remediation="Remove the inbound rule from 0.0.0.0/0 or ::/0 and reach Windows hosts through Fleet Manager, a VPN or a "
    "bastion restricted to known addresses.",
)
def security_group_rdp_restricted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """RDP open to any address is the most common way into Windows hosts (brute force, RDP flaws);
    administration ports are restricted to known sources (CIS AWS 5.2, 5.3; CC6.6, CC6.1). FAIL when an
    inbound rule from 0.0.0.0/0 or ::/0 allows tcp or udp 3389, or all traffic."""
    yield from _group_exposure(inv, "RDP", TCP + UDP, _port(3389))


@check(
    id="aws.ec2.security_group_all_ports_restricted",
    title="Security groups do not allow every port from the internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type="AWS::EC2::SecurityGroup",
    reads=["aws.ec2.security_groups"],
    remediation="Replace the rule with rules for the ports the workload serves (e.g. tcp 443), from the sources that need them.",
)
def security_group_all_ports_restricted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A rule that opens every port to the internet exposes every service on the attached instances,
    including ones nobody meant to publish (CC6.6). FAIL when an inbound rule from 0.0.0.0/0 or ::/0
    allows all traffic, or every tcp or udp port."""
    yield from _group_exposure(inv, "every port", TCP + UDP, lambda low, high: (low, high) == ALL_PORTS)


@check(
    id="aws.ec2.default_security_group_restricts_all",
    title="The default security group of every VPC has no rules",
    severity=Severity.MEDIUM,
    category=Category.NETWORK,
    resource_type="AWS::EC2::SecurityGroup",
    reads=["aws.ec2.security_groups"],
    remediation="Remove every inbound and outbound rule of the default security group and give resources "
    "purpose-made groups instead (the default group cannot be deleted).",
)
def default_security_group_restricts_all(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Anything launched without a security group lands in the VPC's default group; with no rules
    there, a forgotten choice means no traffic rather than an unreviewed path (CIS AWS 5.4; CC6.6)."""
    for group in inv.ec2.security_groups:
        if not group.is_default:
            continue
        evidence = {"group_id": group.group_id, "vpc_id": group.vpc_id}
        if group.ingress or group.egress:
            yield Result.failed(group, f"default group has {len(group.ingress)} inbound and {len(group.egress)} outbound rule(s)",
                                inbound_rules=len(group.ingress), outbound_rules=len(group.egress), **evidence)
        else:
            yield Result.passed(group, "default group has no inbound or outbound rules", **evidence)


def _acl_decision(acl: NetworkAcl, source: str, protocol_port: tuple[str, int | None]) -> NetworkAclEntry | None:
    """The first inbound entry (lowest rule number) deciding traffic from `source` (a whole-internet
    range) for tcp to a port, or for any protocol (port None): entries for narrower ranges do not
    decide for the whole internet."""
    protocol, port = protocol_port
    for entry in acl.entries:
        if entry.egress or entry.cidr != source:
            continue
        if entry.protocol == ALL_TRAFFIC:
            return entry
        if port is None or entry.protocol != protocol:
            continue
        if entry.from_port is None or entry.from_port <= port <= (entry.to_port if entry.to_port is not None else entry.from_port):
            return entry
    return None


@check(
    id="aws.ec2.network_acl_admin_ports_restricted",
    title="Network ACLs do not allow SSH or RDP from the internet",
    severity=Severity.MEDIUM,
    category=Category.NETWORK,
    resource_type="AWS::EC2::NetworkAcl",
    reads=["aws.ec2.network_acls"],
    params={"ports": ADMIN_PORTS},
    remediation="Add inbound deny entries for tcp 22 and 3389 from 0.0.0.0/0 and ::/0 numbered below the allow "
    "entries, or narrow the allow entries to known ranges.",
)
def network_acl_admin_ports_restricted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Network ACLs are the subnet-level layer in front of security groups; leaving administration
    ports open there leaves a single misconfigured security group between a host and the internet
    (CIS AWS 5.1; CC6.6). Entries are evaluated as AWS does, lowest rule number first: FAIL when the
    first inbound entry matching tcp traffic from 0.0.0.0/0 or ::/0 to one of `ports` (default 22 and
    3389) allows it. The default ACL allows everything and fails until it is narrowed."""
    ports = [int(p) for p in ctx.params["ports"]]
    for acl in inv.ec2.network_acls:
        opened: list[str] = []
        for source in INTERNET_RANGES:
            for port in ports:
                decision = _acl_decision(acl, source, ("6", port))
                if decision is not None and decision.allow:
                    opened.append(f"tcp:{port_label(port)} from {source} (rule {decision.rule_number})")
        evidence = {"network_acl_id": acl.network_acl_id, "vpc_id": acl.vpc_id, "is_default": acl.is_default, "subnet_ids": acl.subnet_ids}
        if opened:
            yield Result.failed(acl, f"inbound entries allow {'; '.join(opened)}", **evidence)
        else:
            yield Result.passed(acl, f"inbound entries deny or do not allow {', '.join(map(port_label, ports))} from the internet", **evidence)
