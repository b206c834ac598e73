"""ECS facts: active task definitions with each container's log configuration."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class ContainerLogging(Frozen):
    container: str
    log_driver: str | None = None  # logConfiguration.logDriver: awslogs, awsfirelens, splunk...; None: no log configuration


class TaskDefinition(Resource):
    """One ACTIVE revision (name "family:revision")."""

    family: str
    revision: int
    # facet "definition" (DescribeTaskDefinition); None with an entry in errors
    containers: list[ContainerLogging] | None = None


class Ecs(BaseModel):
    task_definitions: list[TaskDefinition] = Field(default_factory=list)
