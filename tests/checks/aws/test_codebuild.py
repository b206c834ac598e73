"""CodeBuild checks through moto's server: CloudWatch Logs or S3 logs enabled, a project whose
answer carries no logsConfig (UNKNOWN), batches of 100 names per BatchGetProjects, and a denied
BatchGetProjects (genuine AccessDenied)."""

from __future__ import annotations

from tests.conftest import finding, verdicts

CHECK = "aws.codebuild.project_logging"


def _project(codebuild, name: str, logs: dict | None) -> None:
    codebuild.create_project(
        name=name,
        source={"type": "S3", "location": "acme-build-sources/app.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole="arn:aws:iam::123456789012:role/codebuild",
        **({"logsConfig": logs} if logs else {}),
    )


def test_project_logging(aws):
    codebuild = aws.client("codebuild")
    _project(codebuild, "pass-cloudwatch", {"cloudWatchLogs": {"status": "ENABLED", "groupName": "/codebuild/app"},
                                            "s3Logs": {"status": "DISABLED"}})
    _project(codebuild, "pass-s3", {"cloudWatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "ENABLED", "location": "acme-logs/cb"}})
    _project(codebuild, "fail-both-off", {"cloudWatchLogs": {"status": "DISABLED"}, "s3Logs": {"status": "DISABLED"}})
    # AWS fills in logsConfig (CloudWatch ENABLED) when a project is created without one; moto leaves it out,
    # and an absent setting is not read as either answer.
    _project(codebuild, "unknown-no-config", None)

    report = aws.scan(CHECK)
    assert verdicts(report, "aws.codebuild.project_logging") == {("pass-cloudwatch", "PASS"), ("pass-s3", "PASS"), ("fail-both-off", "FAIL"),
                                      ("unknown-no-config", "UNKNOWN")}
    assert finding(report, CHECK, "fail-both-off").message == "logsConfig.cloudWatchLogs and logsConfig.s3Logs are not ENABLED"
    assert finding(report, CHECK, "pass-s3").message == "build logs go to S3"


def test_many_projects_are_read_in_batches_of_100(aws):
    codebuild = aws.client("codebuild")
    for index in range(101):
        _project(codebuild, f"svc-{index:03d}", {"cloudWatchLogs": {"status": "ENABLED"}})
    inventory, report = aws.collect([CHECK])
    assert len(inventory.aws.codebuild.projects) == 101
    assert inventory.metadata.api_calls["codebuild:BatchGetProjects"] == 2
    assert {f.status.value for f in report.findings} == {"PASS"}


def test_denied_batch_get_is_error(aws, denied_session):
    _project(aws.client("codebuild"), "guarded", {"cloudWatchLogs": {"status": "ENABLED"}})
    report = aws.scan(CHECK, session=denied_session("codebuild:BatchGetProjects"))
    assert {f.status.value for f in report.findings} == {"ERROR"}
    assert "access denied to codebuild:BatchGetProjects" in report.findings[0].message
