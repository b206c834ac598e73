"""CodeBuild facts: build projects with their logs configuration."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Project(Resource):
    logs_config_present: bool = True  # False: BatchGetProjects returned no logsConfig at all
    cloudwatch_logs_status: str | None = None  # logsConfig.cloudWatchLogs.status: ENABLED | DISABLED
    cloudwatch_log_group: str | None = None
    s3_logs_status: str | None = None  # logsConfig.s3Logs.status: ENABLED | DISABLED
    s3_logs_location: str | None = None


class CodeBuild(BaseModel):
    projects: list[Project] = Field(default_factory=list)
