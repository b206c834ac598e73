"""IAM: the account password policy and customer-managed policies."""

from __future__ import annotations

from scanner.models.aws.iam import ManagedPolicy, PasswordPolicy
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_bool, as_int, identity, json_document, name_or_address
from scanner.sources.terraform.modules import TfResource


@identity("aws_iam_policy")
def _policy_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    path = tf.values.get("path") if isinstance(tf.values.get("path"), str) else "/"
    arn = f"arn:aws:iam:::policy{path}{name}"
    return {"name": name, "arn": arn, "id": arn}


@adapter(
    "aws.iam.password_policy",
    ["aws_iam_account_password_policy"],
    singleton=True,
    absent="no aws_iam_account_password_policy in the configuration: the account's policy is managed elsewhere, or not at all",
)
def password_policy(ctx: Context) -> PasswordPolicy | None:
    found = ctx.of_type("aws_iam_account_password_policy")
    if not found:
        return None
    tf = found[-1]
    f = Fields(ctx, tf)
    f.set("exists", True, tf=tf)
    f.get("minimum_length", "minimum_password_length", default=6, convert=as_int, note="IAM's minimum password length defaults to 6")
    for name, attribute in (
        ("require_symbols", "require_symbols"),
        ("require_numbers", "require_numbers"),
        ("require_uppercase", "require_uppercase_characters"),
        ("require_lowercase", "require_lowercase_characters"),
    ):
        f.get(name, attribute, default=False, convert=as_bool)
    f.get("max_age_days", "max_password_age", convert=as_int)
    f.get("reuse_prevention", "password_reuse_prevention", convert=as_int)
    f.get("expire_passwords", "hard_expiry", default=False, convert=as_bool)
    return f.build(PasswordPolicy, id=f"{tf.address}", name="account password policy", region="global")


@adapter("aws.iam.policies", ["aws_iam_policy"])
def policies(ctx: Context) -> list[ManagedPolicy]:
    out = []
    for tf in ctx.of_type("aws_iam_policy"):
        f = Fields(ctx, tf)
        f.set("default_version_id", "v1")
        f.get("document", "policy", convert=json_document)
        ident = ctx.identity_of(tf)
        out.append(f.build(ManagedPolicy, id=ident["arn"], name=ident["name"], region="global"))
    return out
