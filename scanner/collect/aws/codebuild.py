"""CodeBuild (regional): ListProjects (names), then BatchGetProjects, 100 names per call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.registry import collector
from scanner.models.aws.codebuild import Project

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

BATCH = 100  # BatchGetProjects takes at most 100 names


@collector("aws.codebuild.projects", regional=True, permissions=["codebuild:ListProjects", "codebuild:BatchGetProjects"])
def projects(scope: AwsScope) -> list[Project]:
    names = scope.pages("codebuild", "ListProjects", "projects")
    batches = [names[i : i + BATCH] for i in range(0, len(names), BATCH)]
    found = [p for batch in scope.map(lambda b: scope.call("codebuild", "BatchGetProjects", names=b)["projects"], batches) for p in batch]
    return sorted((_project(scope, p) for p in found), key=lambda p: p.name)


def _project(scope: AwsScope, p: dict[str, Any]) -> Project:
    logs = p.get("logsConfig")
    cloudwatch = (logs or {}).get("cloudWatchLogs") or {}
    s3 = (logs or {}).get("s3Logs") or {}
    return Project(
        id=p.get("arn") or scope.arn("codebuild", f"project/{p['name']}"),
        name=p["name"],
        region=scope.region,
        account=scope.account,
        logs_config_present=logs is not None,
        cloudwatch_logs_status=cloudwatch.get("status"),
        cloudwatch_log_group=cloudwatch.get("groupName"),
        s3_logs_status=s3.get("status"),
        s3_logs_location=s3.get("location"),
    )
