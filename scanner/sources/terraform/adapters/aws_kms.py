"""KMS keys from aws_kms_key (and aws_kms_external_key). A key Terraform manages is Enabled or
Disabled (is_enabled); its id and ARN exist only after apply, so the inventory names it by its
Terraform address and references to it (`aws_kms_key.logs.arn`) resolve to that name."""

from __future__ import annotations

import json

from scanner.models.aws.kms import KmsKey
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_bool, identity, json_document, not_expressible
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown

DEFAULT_POLICY_NOTE = "KMS gives a key declared without a policy the default key policy: full access for the account's root only"

not_expressible(
    "aws.kms.key_not_pending_deletion",
    "a key is pending deletion only after it is scheduled for deletion (terraform destroy or by hand): not a configuration setting",
)
not_expressible(
    "aws.kms.key_deletion_window",
    "the waiting period applies once deletion is scheduled (terraform destroy or by hand); deletion_window_in_days is judged then",
)


def _arn(ctx: Context, tf: TfResource, kind: str, name: str) -> str:
    return f"arn:aws:kms:{ctx.region(tf)}::{kind}/{name}"


@identity("aws_kms_key", "aws_kms_external_key", "aws_kms_replica_key")
def _key_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    return {"id": tf.address, "key_id": tf.address, "arn": _arn(ctx, tf, "key", tf.address)}


@identity("aws_kms_alias")
def _alias_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    out: dict[str, str] = {}
    name = tf.values.get("name")
    if isinstance(name, str):
        out.update({"id": name, "name": name, "arn": _arn(ctx, tf, "", name).replace("::/", "::")})
    target = ctx.ref(tf, tf.values.get("target_key_id"))
    if isinstance(target, str):
        out["target_key_id"] = target
        out["target_key_arn"] = target if target.startswith("arn:") else _arn(ctx, tf, "key", target)
    return out


@adapter("aws.kms.keys", ["aws_kms_key", "aws_kms_external_key"])
def keys(ctx: Context) -> list[KmsKey]:
    out = []
    for tf in ctx.of_type("aws_kms_key", "aws_kms_external_key"):
        f = Fields(ctx, tf)
        f.set("key_manager", "CUSTOMER", tf=tf)
        enabled = f.get("key_state", "is_enabled", default=True, convert=as_bool, placeholder="Enabled")
        if isinstance(enabled, bool):
            f.values["key_state"] = "Enabled" if enabled else "Disabled"
        spec = tf.values.get("customer_master_key_spec", tf.values.get("key_spec"))
        if "key_spec" in tf.values:
            f.get("key_spec", "key_spec", default="SYMMETRIC_DEFAULT")
        else:
            f.get("key_spec", "customer_master_key_spec", default="SYMMETRIC_DEFAULT")
        f.set("origin", "EXTERNAL" if tf.type == "aws_kms_external_key" else "AWS_KMS", tf=tf)
        usage = tf.values.get("key_usage")
        if spec in (None, "SYMMETRIC_DEFAULT") and usage in (None, "ENCRYPT_DECRYPT") and tf.type == "aws_kms_key":
            f.get("rotation_enabled", "enable_key_rotation", default=False, convert=as_bool, placeholder=True)
        else:
            f.set("rotation_enabled", None)
        f.get("description", "description")
        if tf.values.get("policy") is None:
            f.set("policy", _default_policy(), note=DEFAULT_POLICY_NOTE)
        else:
            f.get("policy", "policy", convert=json_document)
        ident = ctx.identity_of(tf)
        out.append(f.build(KmsKey, id=ident["arn"], name=ident["key_id"]))
    return out


def _default_policy() -> dict:
    return json.loads(
        '{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",'
        '"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::(account):root"},"Action":"kms:*","Resource":"*"}]}'
    )


_ = Unknown
