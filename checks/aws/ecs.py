"""ECS: container logging in task definitions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.ecs.task_definition_logging",
    title="Every container of an active ECS task definition has a log configuration",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::ECS::TaskDefinition",
    reads=["aws.ecs.task_definitions:definition"],
    remediation="Register a new revision whose containers set logConfiguration (e.g. the awslogs driver to a "
    "CloudWatch log group), move services to it and deregister the old revision.",
)
def task_definition_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A container without a log driver writes its output nowhere that survives the task: the
    application's access and error records are lost when the task stops (CC7.2). Every ACTIVE
    revision is judged, since any of them can be run."""
    for definition in inv.ecs.task_definitions:
        containers = definition.containers or []
        missing = sorted(c.container for c in containers if not c.log_driver)
        drivers = sorted({c.log_driver for c in containers if c.log_driver})
        if missing:
            yield Result.failed(definition, f"no logConfiguration on container(s) {', '.join(missing)}", containers_without_logging=missing)
        elif not containers:
            yield Result.unknown(definition, "DescribeTaskDefinition returned no container definitions")
        else:
            yield Result.passed(definition, f"every container logs through {', '.join(drivers)}", log_drivers=drivers)
