"""API Gateway REST APIs: client certificates towards backends, TLS 1.2 on custom domains, and
execution and access logging on stages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from checks.aws.elbv2 import names
from scanner.models.aws.apigateway import RestStage
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

STAGE = "AWS::ApiGateway::Stage"
LOGGING_LEVELS = {"ERROR", "INFO"}
# Security policies whose oldest protocol is TLS 1.2 or later (TLS_1_2 and the 2021+ SecurityPolicy_TLS12/TLS13_* family).
TLS12_POLICY = re.compile(r"^(TLS_1_2|SecurityPolicy_TLS1[23]_.*)$")


def _matches(stage: RestStage, patterns: list[str]) -> bool:
    candidates = (stage.name, f"{stage.api_id}/{stage.stage_name}", stage.stage_name, stage.id)
    return any(fnmatchcase(candidate, pattern) for pattern in patterns for candidate in candidates)


@check(
    id="aws.apigateway.stage_client_certificate",
    title="API Gateway REST stages present a client certificate to their backend",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=STAGE,
    reads=["aws.apigateway.stages"],
    params={"required_stages": ["*"]},
    remediation="Generate a client certificate (apigateway generate-client-certificate), set it on the stage "
    "(clientCertificateId) and have the backend verify it. required_stages (globs over '<api name>/<stage>', "
    "'<api id>/<stage>' or the stage name) limits the check to stages that need it.",
)
def stage_client_certificate(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A client certificate lets the backend verify that requests come from API Gateway and gives
    mutually authenticated TLS on the hop from API Gateway to the integration (CC6.7). Stages not
    matched by required_stages are reported not applicable."""
    patterns = names(ctx.params["required_stages"])
    for stage in inv.apigateway.stages:
        if not _matches(stage, patterns):
            yield Result.not_applicable(stage, "stage not in required_stages", required_stages=patterns)
        elif stage.client_certificate_id:
            yield Result.passed(stage, f"clientCertificateId is {stage.client_certificate_id}", client_certificate_id=stage.client_certificate_id)
        else:
            yield Result.failed(stage, "no clientCertificateId on the stage")


@check(
    id="aws.apigateway.domain_modern_tls",
    title="API Gateway custom domain names use a TLS 1.2 (or later) security policy",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::ApiGateway::DomainName",
    reads=["aws.apigateway.domain_names"],
    remediation="Update the domain name's securityPolicy to TLS_1_2 (or a SecurityPolicy_TLS13_* policy).",
)
def domain_modern_tls(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The custom domain's security policy decides the oldest TLS version clients can negotiate
    with the API; TLS_1_0 still accepts the deprecated TLS 1.0 and 1.1 (CC6.7)."""
    for domain in inv.apigateway.domain_names:
        policy = domain.security_policy
        evidence = {"security_policy": policy, "endpoint_types": domain.endpoint_types}
        if policy and TLS12_POLICY.match(policy):
            yield Result.passed(domain, f"securityPolicy is {policy}", **evidence)
        elif policy == "TLS_1_0":
            yield Result.failed(domain, "securityPolicy is TLS_1_0 (accepts TLS 1.0 and 1.1)", **evidence)
        else:
            yield Result.unknown(domain, f"securityPolicy {policy or 'not reported'} is not a known policy", **evidence)


@check(
    id="aws.apigateway.stage_execution_logging",
    title="API Gateway REST stages have execution logging (ERROR or INFO) for every method",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type=STAGE,
    reads=["aws.apigateway.stages"],
    remediation="Update the stage: /*/*/logging/loglevel = ERROR or INFO (and set the account's CloudWatch "
    "Logs role), without per-method overrides to OFF.",
)
def stage_execution_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Execution logs record authoriser decisions, integration errors and throttling per request,
    what an investigator needs to tell an attack from a fault (CC7.2)."""
    for stage in inv.apigateway.stages:
        level = stage.execution_logging_level
        off = sorted(method for method, value in stage.method_logging_levels.items() if value not in LOGGING_LEVELS)
        evidence = {"logging_level": level, "method_overrides": stage.method_logging_levels}
        if level not in LOGGING_LEVELS:
            yield Result.failed(stage, f"execution logging level (*/*) is {level or 'OFF'}", **evidence)
        elif off:
            yield Result.failed(stage, f"execution logging is {level} but turned off for {', '.join(off)}", **evidence)
        else:
            yield Result.passed(stage, f"execution logging level (*/*) is {level}", **evidence)


@check(
    id="aws.apigateway.stage_access_logging",
    title="API Gateway REST stages have access logging",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type=STAGE,
    reads=["aws.apigateway.stages"],
    remediation="Update the stage's accessLogSettings with a CloudWatch Logs or Firehose destination and a format "
    "including $context.requestId, $context.identity.sourceIp and $context.status.",
)
def stage_access_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Access logs record who called which resource, from where, and the outcome: the request
    trail for monitoring and investigating API use (CC7.2)."""
    for stage in inv.apigateway.stages:
        if stage.access_log_destination:
            yield Result.passed(stage, f"access logs go to {stage.access_log_destination}", destination=stage.access_log_destination)
        else:
            yield Result.failed(stage, "accessLogSettings has no destinationArn")
