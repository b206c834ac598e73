"""AWS Backup: a backup plan, a vault, Vault Lock, vault encryption, restore testing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.aws._kms_refs import key_manager
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.backup.plan_exists",
    title="At least one AWS Backup plan with a rule exists",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::Backup::BackupPlan",
    reads=["aws.backup.plans"],
    remediation="Create a backup plan with at least one scheduled rule and assign resources to it.",
)
def plan_exists(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A central, scheduled backup plan is the usual evidence for A1.2 (backup processes) and
    the starting point for restore testing (A1.3)."""
    with_rules = sorted(f"{p.name} ({p.region})" for p in inv.backup.plans if p.rules)
    if with_rules:
        yield Result.passed(ctx.account, f"backup plans with rules: {', '.join(with_rules)}", plans=with_rules)
    elif ctx.complete("aws.backup.plans"):
        empty = sorted(p.name for p in inv.backup.plans)
        reason = f"backup plans have no rules: {', '.join(empty)}" if empty else "no AWS Backup plan in any region"
        yield Result.failed(ctx.account, reason, plans_without_rules=empty)
    else:
        yield Result.unknown(ctx.account, "no backup plan found in the regions that could be read")


@check(
    id="aws.backup.vault_exists",
    title="At least one AWS Backup vault exists",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::Backup::BackupVault",
    reads=["aws.backup.vaults"],
    remediation="Create a backup vault (with a customer-managed KMS key) as the target of your backup plans.",
)
def vault_exists(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Recovery points live in vaults; without one no AWS Backup plan can run, so there is no
    central, access-controlled store for backups (A1.2, CC7.5)."""
    vaults = sorted(f"{v.name} ({v.region})" for v in inv.backup.vaults)
    if vaults:
        yield Result.passed(ctx.account, f"backup vaults: {', '.join(vaults)}", vaults=vaults)
    elif ctx.complete("aws.backup.vaults"):
        yield Result.failed(ctx.account, "no AWS Backup vault in any region")
    else:
        yield Result.unknown(ctx.account, "no backup vault found in the regions that could be read")


@check(
    id="aws.backup.vault_lock",
    title="AWS Backup vaults have Vault Lock with a minimum retention",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::Backup::BackupVault",
    reads=["aws.backup.vaults"],
    params={"min_retention_days": Param(7, minimum=1, maximum=36500)},
    remediation="aws backup put-backup-vault-lock-configuration --backup-vault-name NAME --min-retention-days N "
    "[--changeable-for-days D for compliance mode].",
)
def vault_lock(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Vault Lock stops anyone, including an administrator or an attacker with their credentials,
    from deleting recovery points or shortening their retention below the minimum: backups survive
    ransomware and insider deletion (A1.2, CC7.5). Compliance mode (a lock date) makes the lock
    itself immutable; governance mode can be removed by privileged users."""
    minimum = ctx.params["min_retention_days"]
    for vault in inv.backup.vaults:
        configured = vault.locked or vault.min_retention_days is not None or vault.lock_date is not None
        mode = "compliance" if vault.lock_date is not None else "governance"
        evidence = {
            "min_retention_days": vault.min_retention_days,
            "max_retention_days": vault.max_retention_days,
            "lock_date": vault.lock_date,
        }
        if not configured:
            yield Result.failed(vault, "Vault Lock is not configured")
        elif vault.min_retention_days is None:
            yield Result.failed(vault, f"Vault Lock ({mode} mode) sets no MinRetentionDays", mode=mode, **evidence)
        elif vault.min_retention_days < minimum:
            yield Result.failed(
                vault,
                f"Vault Lock ({mode} mode) MinRetentionDays is {vault.min_retention_days} (< {minimum})",
                mode=mode,
                **evidence,
            )
        else:
            yield Result.passed(
                vault,
                f"Vault Lock ({mode} mode) MinRetentionDays is {vault.min_retention_days} (>= {minimum})",
                mode=mode,
                **evidence,
            )


@check(
    id="aws.backup.vault_cmk_encrypted",
    title="AWS Backup vaults encrypt recovery points with a customer-managed KMS key",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::Backup::BackupVault",
    reads=["aws.backup.vaults", "aws.kms.keys"],
    remediation="The key is fixed at creation: create a vault with --encryption-key-arn (a customer-managed key), "
    "point backup plans at it, and let old recovery points expire.",
)
def vault_cmk_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Backups are a full copy of production data. With a customer-managed key, its key policy
    decides who can restore or copy them (for example, a separate backup account) and every use is
    logged; the AWS managed key aws/backup follows IAM alone (CC6.1, C1.1)."""
    for vault in inv.backup.vaults:
        evidence = {"encryption_key_arn": vault.encryption_key_arn, "encryption_key_type": vault.encryption_key_type}
        if vault.encryption_key_type == "CUSTOMER_MANAGED_KMS_KEY":
            yield Result.passed(vault, "EncryptionKeyType is CUSTOMER_MANAGED_KMS_KEY", **evidence)
            continue
        if vault.encryption_key_type == "AWS_OWNED_KMS_KEY":
            yield Result.failed(vault, "EncryptionKeyType is AWS_OWNED_KMS_KEY", **evidence)
            continue
        if not vault.encryption_key_arn:
            yield Result.failed(vault, "no EncryptionKeyArn: the vault uses an AWS-managed default key", **evidence)
            continue
        manager = key_manager(inv, vault.encryption_key_arn, vault.region, vault.account)
        if manager == "CUSTOMER":
            yield Result.passed(vault, "encrypted with a customer-managed KMS key", **evidence)
        elif manager == "AWS":
            yield Result.failed(vault, "encrypted with the AWS managed key aws/backup", **evidence)
        else:
            yield Result.unknown(vault, "the vault's KMS key is not among the collected KMS keys", **evidence)


@check(
    id="aws.backup.restore_testing_plan_exists",
    title="At least one AWS Backup restore testing plan exists",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::Backup::RestoreTestingPlan",
    reads=["aws.backup.restore_testing_plans"],
    remediation="Create a restore testing plan (aws backup create-restore-testing-plan) with selections for your "
    "critical resource types, and review its restore job results.",
)
def restore_testing_plan_exists(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A backup that has never been restored is an assumption, not a control. Restore testing plans
    restore recovery points on a schedule and record whether and how fast they come back, the
    evidence A1.3 asks for (recovery plan procedures are tested)."""
    plans = sorted(f"{p.name} ({p.region})" for p in inv.backup.restore_testing_plans)
    if plans:
        executed = sorted(f"{p.name} ({p.region})" for p in inv.backup.restore_testing_plans if p.last_execution_time)
        yield Result.passed(ctx.account, f"restore testing plans: {', '.join(plans)}", plans=plans, executed=executed)
    elif ctx.complete("aws.backup.restore_testing_plans"):
        yield Result.failed(ctx.account, "no AWS Backup restore testing plan in any region")
    else:
        yield Result.unknown(ctx.account, "no restore testing plan found in the regions that could be read")
