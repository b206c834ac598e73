"""CodeBuild: build logging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.codebuild.project_logging",
    title="CodeBuild projects send build logs to CloudWatch Logs or S3",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::CodeBuild::Project",
    reads=["aws.codebuild.projects"],
    remediation="Enable CloudWatch Logs (or S3 logs) in the project's logsConfig (update-project --logs-config ...).",
)
def project_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Build logs show what each build ran, with which inputs, and what it produced: the evidence
    that a release was built as reviewed, and the first place to look after a supply-chain
    compromise (CC7.2, CC8.1). PASS when CloudWatch Logs or S3 logs are ENABLED."""
    for project in inv.codebuild.projects:
        evidence = {"cloudwatch_logs": project.cloudwatch_logs_status, "s3_logs": project.s3_logs_status}
        enabled = [where for where, status in (("CloudWatch Logs", project.cloudwatch_logs_status), ("S3", project.s3_logs_status))
                   if status == "ENABLED"]
        if enabled:
            yield Result.passed(project, f"build logs go to {' and '.join(enabled)}", **evidence)
        elif not project.logs_config_present:
            yield Result.unknown(project, "BatchGetProjects returned no logsConfig")
        else:
            yield Result.failed(project, "logsConfig.cloudWatchLogs and logsConfig.s3Logs are not ENABLED", **evidence)
