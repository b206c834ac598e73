"""AWS Backup vaults (with their lock configuration) and plans."""

from __future__ import annotations

from scanner.models.aws.backup import BackupPlan, BackupRule, BackupVault
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_int, identity, name_or_address
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown, contains_unknown


@identity("aws_backup_vault")
def _vault_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    arn = f"arn:aws:backup:{ctx.region(tf)}::backup-vault:{name}"
    return {"name": name, "id": name, "arn": arn}


@adapter(
    "aws.backup.vaults",
    ["aws_backup_vault", "aws_backup_vault_lock_configuration"],
    absent="no aws_backup_vault in the configuration: the account's vaults are managed elsewhere, or there are none",
)
def vaults(ctx: Context) -> list[BackupVault]:
    out = []
    for tf in ctx.of_type("aws_backup_vault"):
        f = Fields(ctx, tf)
        f.set("vault_type", "BACKUP_VAULT")
        key = f.get("encryption_key_arn", "kms_key_arn", ref=True, note="without kms_key_arn AWS Backup encrypts with the AWS-managed key aws/backup")
        f.set("encryption_key_type", "CUSTOMER_MANAGED_KMS_KEY" if key else None)
        lock = next(
            iter(ctx.referrers(tf, ("aws_backup_vault_lock_configuration",), "backup_vault_name", "name", "id")),
            None,
        )
        f.set("locked", lock is not None, tf=lock)
        if lock is not None:
            f.get("min_retention_days", "min_retention_days", tf=lock, convert=as_int)
            f.get("max_retention_days", "max_retention_days", tf=lock, convert=as_int)
        ident = ctx.identity_of(tf)
        out.append(f.build(BackupVault, id=ident["arn"], name=ident["name"]))
    return out


@adapter(
    "aws.backup.plans",
    ["aws_backup_plan"],
    absent="no aws_backup_plan in the configuration: the account's plans are managed elsewhere, or there are none",
)
def plans(ctx: Context) -> list[BackupPlan]:
    out = []
    for tf in ctx.of_type("aws_backup_plan"):
        f = Fields(ctx, tf)
        rules = tf.values.get("rule") or []
        if isinstance(rules, Unknown) or contains_unknown([{k: v for k, v in r.items() if k in ("rule_name", "schedule")} for r in rules]):
            f.get("rules", "rule", default=[])
        else:
            parsed = []
            for rule in rules:
                lifecycle = (rule.get("lifecycle") or [{}])[0]
                delete = lifecycle.get("delete_after")
                vault = ctx.ref(tf, rule.get("target_vault_name"))
                parsed.append(
                    BackupRule(
                        name=str(rule.get("rule_name")),
                        target_vault=vault if isinstance(vault, str) else "(known after apply)",
                        schedule=rule.get("schedule") if isinstance(rule.get("schedule"), str) else None,
                        delete_after_days=int(delete) if isinstance(delete, (int, float)) and not isinstance(delete, bool) else None,
                    )
                )
            f.set("rules", parsed, tf=tf, path="rule")
        name = name_or_address(tf.values.get("name"), tf)
        out.append(f.build(BackupPlan, id=f"arn:aws:backup:{ctx.region(tf)}::backup-plan:{name}", name=name))
    return out
