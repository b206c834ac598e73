"""EC2: EBS volumes, the regional EBS encryption default, instances' metadata options, VPCs and flow logs."""

from __future__ import annotations

from scanner.models.aws.ec2 import EbsEncryptionByDefault, FlowLog, Instance, Volume, Vpc
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_bool, as_int, identity
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown


def _arn(ctx: Context, tf: TfResource, resource: str) -> str:
    return f"arn:aws:ec2:{ctx.region(tf)}::{resource}/{tf.address}"


def _name(tf: TfResource) -> str:
    tags = tf.values.get("tags")
    name = tags.get("Name") if isinstance(tags, dict) else None
    return name if isinstance(name, str) else tf.address


def _tags(tf: TfResource) -> dict[str, str]:
    tags = tf.values.get("tags")
    return {k: v for k, v in tags.items() if isinstance(v, str)} if isinstance(tags, dict) else {}


@identity("aws_ebs_volume", "aws_instance", "aws_vpc")
def _ec2_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    return {"id": tf.address, "arn": _arn(ctx, tf, tf.type.removeprefix("aws_").replace("ebs_", ""))}


@adapter(
    "aws.ec2.ebs_encryption_by_default",
    ["aws_ebs_encryption_by_default"],
    absent="no aws_ebs_encryption_by_default in the configuration: the regional setting is managed elsewhere, or not at all",
    singleton=True,
)
def ebs_encryption_by_default(ctx: Context) -> list[EbsEncryptionByDefault] | None:
    found = ctx.of_type("aws_ebs_encryption_by_default")
    if not found:
        return None
    out = []
    for tf in found:
        f = Fields(ctx, tf)
        f.get("enabled", default=True, convert=as_bool)
        default_key = next((k for k in ctx.of_type("aws_ebs_default_kms_key") if k.provider == tf.provider), None)
        if default_key is not None:
            f.get("default_kms_key_id", "key_arn", tf=default_key, ref=True)
        region = ctx.region(tf)
        out.append(f.build(EbsEncryptionByDefault, id=f"arn:aws:ec2:{region}::ebs-encryption-by-default", name=f"EBS encryption by default ({region})"))
    return out


@adapter("aws.ec2.volumes", ["aws_ebs_volume", "aws_volume_attachment"])
def volumes(ctx: Context) -> list[Volume]:
    out = []
    for tf in ctx.of_type("aws_ebs_volume"):
        f = Fields(ctx, tf)
        encrypted = tf.values.get("encrypted")
        if encrypted is None and tf.values.get("snapshot_id") is None:
            defaults = [d for d in ctx.of_type("aws_ebs_encryption_by_default") if d.provider == tf.provider]
            if defaults and defaults[-1].values.get("enabled") in (True, None):
                f.set("encrypted", True, tf=defaults[-1], note="aws_ebs_encryption_by_default encrypts every new volume in the region")
            else:
                f.set("encrypted", False, note="EBS volumes are unencrypted unless encrypted = true or the region encrypts by default")
                if not defaults:
                    f.unresolved["encrypted"] = (
                        f"{tf.address} does not set encrypted: the region's EBS encryption default decides, and it is not declared here"
                    )
        else:
            f.get("encrypted", default=False, convert=as_bool, note="a volume restored from a snapshot is encrypted as the snapshot is")
        f.get("kms_key_id", ref=True)
        f.set("state", "available")
        size = tf.values.get("size")
        f.set("size_gib", int(size) if isinstance(size, (int, float)) and not isinstance(size, bool) else 0)
        attachments = ctx.referrers(tf, ("aws_volume_attachment",), "volume_id")
        f.set("attached_instance_ids", sorted(str(ctx.ref(a, a.values.get("instance_id"))) for a in attachments))
        f.set("tags", _tags(tf))
        out.append(f.build(Volume, id=ctx.identity_of(tf)["arn"], name=_name(tf)))
    return out


@adapter("aws.ec2.instances", ["aws_instance"])
def instances(ctx: Context) -> list[Instance]:
    out = []
    for tf in ctx.of_type("aws_instance"):
        f = Fields(ctx, tf)
        f.set("state", "running")
        f.get("http_endpoint", "metadata_options.http_endpoint", default="enabled")
        tokens = f.get("http_tokens", "metadata_options.http_tokens", placeholder="required")
        if tokens is None:
            f.values["http_tokens"] = "required"
            f.unresolved["http_tokens"] = (
                f"{tf.address} sets no metadata_options.http_tokens: the AMI and the account's instance metadata defaults decide"
            )
        f.set("tags", _tags(tf))
        out.append(f.build(Instance, id=ctx.identity_of(tf)["arn"], name=_name(tf)))
    return out


@adapter("aws.ec2.vpcs", ["aws_vpc"])
def vpcs(ctx: Context) -> list[Vpc]:
    out = []
    for tf in ctx.of_type("aws_vpc"):
        f = Fields(ctx, tf)
        f.set("is_default", False)
        cidr = tf.values.get("cidr_block")
        f.set("cidr_block", cidr if isinstance(cidr, str) else "(known after apply)")
        out.append(f.build(Vpc, id=ctx.identity_of(tf)["arn"], name=_name(tf)))
    return out


@adapter("aws.ec2.flow_logs", ["aws_flow_log"])
def flow_logs(ctx: Context) -> list[FlowLog]:
    out = []
    for tf in ctx.of_type("aws_flow_log"):
        f = Fields(ctx, tf)
        target = next((tf.values.get(k) for k in ("vpc_id", "subnet_id", "eni_id", "transit_gateway_id") if tf.values.get(k) is not None), None)
        resolved = ctx.ref(tf, target)
        if isinstance(resolved, Unknown) or resolved is None:
            f.set("resource_id", f"(unknown: {resolved})")
            f.unresolved["resource_id"] = f"{tf.address}: the VPC it watches is not known ({resolved})"
        else:
            f.set("resource_id", str(resolved), tf=tf)
        f.set("status", "ACTIVE")
        f.get("traffic_type", default="ALL")
        f.get("destination_type", "log_destination_type", default="cloud-watch-logs")
        out.append(f.build(FlowLog, id=f"arn:aws:ec2:{ctx.region(tf)}::vpc-flow-log/{tf.address}", name=tf.address))
    return out


_ = as_int
