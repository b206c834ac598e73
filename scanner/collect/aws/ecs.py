"""ECS (regional): ListTaskDefinitions (ACTIVE revisions) once, DescribeTaskDefinition per revision
(concurrently). Every ACTIVE revision can still be run, so each is judged, not only the latest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.ecs import ContainerLogging, TaskDefinition

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.ecs.task_definitions",
    regional=True,
    permissions=["ecs:ListTaskDefinitions"],
    facets={
        "definition": facet(["ecs:DescribeTaskDefinition"], ["containers"]),
    },
)
def task_definitions(scope: AwsScope) -> list[TaskDefinition]:
    arns = scope.pages("ecs", "ListTaskDefinitions", "taskDefinitionArns", status="ACTIVE")
    return scope.map(lambda arn: _task_definition(scope, arn), arns)


def _task_definition(scope: AwsScope, arn: str) -> TaskDefinition:
    family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")

    def definition() -> dict[str, Any]:
        described = scope.call("ecs", "DescribeTaskDefinition", taskDefinition=arn)["taskDefinition"]
        return {
            "containers": [
                ContainerLogging(container=c["name"], log_driver=(c.get("logConfiguration") or {}).get("logDriver"))
                for c in described.get("containerDefinitions", [])
            ]
        }

    fields, errors = read_facets(scope, "ecs", scope.region, {"definition": definition})
    return TaskDefinition(
        id=arn,
        name=f"{family}:{revision}",
        region=scope.region,
        account=scope.account,
        family=family,
        revision=int(revision),
        errors=errors,
        **fields,
    )
