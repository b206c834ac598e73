"""ECS checks through moto's server: a log configuration on every container of every ACTIVE task
definition revision, deregistered revisions left out, and a denied DescribeTaskDefinition (ERROR per
revision, genuine AccessDenied from moto)."""

from __future__ import annotations

from tests.conftest import finding, verdicts

CHECK = "aws.ecs.task_definition_logging"
AWSLOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}


def _register(ecs, family: str, *containers: tuple[str, dict | None]) -> str:
    definitions = [{"name": name, "image": "public.ecr.aws/docker/library/nginx:1.27", "memory": 256,
                    **({"logConfiguration": logging} if logging else {})} for name, logging in containers]
    return ecs.register_task_definition(family=family, containerDefinitions=definitions)["taskDefinition"]["taskDefinitionArn"]


def test_every_container_of_every_active_revision_logs(aws):
    ecs = aws.client("ecs")
    _register(ecs, "pass-web", ("app", AWSLOGS), ("proxy", {"logDriver": "awsfirelens"}))
    _register(ecs, "fail-worker", ("app", AWSLOGS), ("sidecar", None))
    _register(ecs, "fail-worker", ("app", AWSLOGS), ("sidecar", AWSLOGS))  # revision 2 fixes it; revision 1 is still ACTIVE
    retired = _register(ecs, "retired", ("app", None))
    ecs.deregister_task_definition(taskDefinition=retired)

    report = aws.scan(CHECK)
    assert verdicts(report, "aws.ecs.task_definition_logging") == {("pass-web:1", "PASS"), ("fail-worker:2", "PASS"), ("fail-worker:1", "FAIL")}
    assert finding(report, CHECK, "fail-worker:1").message == "no logConfiguration on container(s) sidecar"
    assert finding(report, CHECK, "pass-web:1").message == "every container logs through awsfirelens, awslogs"


def test_denied_describe_is_error_per_revision(aws, denied_session):
    _register(aws.client("ecs"), "guarded", ("app", None))
    report = aws.scan(CHECK, session=denied_session("ecs:DescribeTaskDefinition"))
    assert verdicts(report, "aws.ecs.task_definition_logging") == {("guarded:1", "ERROR")}
    assert "access denied to ecs:DescribeTaskDefinition" in finding(report, CHECK, "guarded:1").message
