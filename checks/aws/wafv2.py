"""AWS WAF v2: web ACL logging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.wafv2.web_acl_logging",
    title="AWS WAF web ACLs have logging configured",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::WAFv2::WebACL",
    reads=["aws.wafv2.web_acls:logging", "aws.wafv2.cloudfront_web_acls:logging"],
    remediation="Put a logging configuration on the web ACL with a destination: a CloudWatch Logs group, S3 "
    "bucket or Firehose stream whose name starts with aws-waf-logs-.",
)
def web_acl_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """WAF logs record each inspected request, the rule that matched and the action taken: the
    evidence of attacks blocked or let through at the boundary (CC7.2, CC6.6). REGIONAL web ACLs
    are read in every region, CLOUDFRONT ones once from us-east-1."""
    for acl in [*inv.wafv2.web_acls, *inv.wafv2.cloudfront_web_acls]:
        evidence = {"scope": acl.scope, "destinations": acl.log_destinations}
        if acl.log_destinations:
            yield Result.passed(acl, f"logs to {', '.join(acl.log_destinations)}", **evidence)
        else:
            yield Result.failed(acl, "no logging configuration", **evidence)
