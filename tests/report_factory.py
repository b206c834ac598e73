"""Small, hand-made reports for unit tests of what runs after evaluation (waivers, baselines, formats)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from scanner.engine.evaluate import finding_id, summarise
from scanner.mapping import criteria_index, load_framework, rollup
from scanner.models.common import Category, Severity, Status
from scanner.models.inventory import Identity
from scanner.models.report import Finding, Report, ScanMetadata

ACCOUNT = "111122223333"
COLLECTED = datetime(2026, 3, 31, 12, 0, tzinfo=timezone.utc)
CHECKS = {  # id -> (severity, category)
    "aws.s3.bucket_versioning": (Severity.MEDIUM, Category.BACKUP),
    "aws.s3.bucket_access_logging": (Severity.LOW, Category.LOGGING),
    "aws.iam.root_mfa_enabled": (Severity.CRITICAL, Category.MFA),
    "aws.ec2.volume_encrypted": (Severity.HIGH, Category.ENCRYPTION),
}


def finding(check_id: str, name: str, status: str = "FAIL", region: str = "us-east-1", **extra: Any) -> Finding:
    severity, category = CHECKS[check_id]
    service = check_id.split(".")[1]
    resource_id = extra.pop("resource_id", f"arn:aws:{service}:{region}:{ACCOUNT}:{name}")
    criteria = criteria_index({"soc2": load_framework("soc2")}).get(check_id, {})
    return Finding(
        finding_id=finding_id("aws", ACCOUNT, check_id, resource_id, region),
        check_id=check_id,
        check_title=check_id.replace("_", " "),
        provider="aws",
        service=service,
        severity=severity,
        category=category,
        resource_type="AWS::Test::Resource",
        resource_id=resource_id,
        resource_name=name,
        account=ACCOUNT,
        region=region,
        status=Status(status),
        message=extra.pop("message", f"{name} is {status.lower()}"),
        evidence=extra.pop("evidence", {"setting": status == "PASS"}),
        criteria={k: sorted(v) for k, v in criteria.items()},
        remediation="Fix it.",
        **extra,
    )


def report(*findings: Finding, collected_at: datetime = COLLECTED, account: str = ACCOUNT) -> Report:
    items = sorted(findings, key=lambda f: (f.check_id, f.resource_id, f.region))
    evaluated = list(dict.fromkeys(f.check_id for f in items))
    return Report(
        metadata=ScanMetadata(
            tool_version="0.1.0",
            provider="aws",
            source="test",
            identity=Identity(account=account, principal=f"arn:aws:iam::{account}:user/scanner"),
            regions=["us-east-1", "eu-west-1"],
            collected_at=collected_at,
            started_at=collected_at,
            finished_at=collected_at,
            elapsed_seconds=0.0,
            checks_evaluated=len(evaluated),
        ),
        summary=summarise(items),
        findings=items,
        criteria=rollup(load_framework("soc2"), items, evaluated, {"aws"}),
    )
