"""Lambda: every function has a log group that keeps its logs long enough.

(The module is `awslambda` because `lambda` is a Python keyword; the check ids are `aws.lambda.*`.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.lambda.function_log_retention",
    title="Lambda functions have a log group with at least the configured retention",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="AWS::Lambda::Function",
    reads=["aws.awslambda.functions", "aws.logs.log_groups"],
    params={"min_days": Param(365, minimum=1, maximum=3653)},
    remediation="Create the function's log group (/aws/lambda/<name>, or the LoggingConfig group) ahead of "
    "time with a retention policy of at least the required days, and let the execution role write to it.",
)
def function_log_retention(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A function's output and errors exist only in its log group: with no group (never invoked, or
    the role cannot create it) or a short retention, there is nothing to investigate when the code
    misbehaves or is abused (CC7.2, CC7.3). "Never expire" passes."""
    minimum = ctx.params["min_days"]
    groups = {(g.region, g.name): g for g in inv.logs.log_groups}
    for fn in inv.awslambda.functions:
        group = groups.get((fn.region, fn.log_group_name))
        evidence = {"log_group": fn.log_group_name, "retention_days": group.retention_days if group else None}
        if group is None:
            yield Result.failed(fn, f"log group {fn.log_group_name} does not exist", **evidence)
        elif group.retention_days is None:
            yield Result.passed(fn, f"log group {fn.log_group_name} never expires events", **evidence)
        elif group.retention_days >= minimum:
            yield Result.passed(fn, f"log group {fn.log_group_name} retains {count(group.retention_days, 'day')} (>= {minimum})", **evidence)
        else:
            yield Result.failed(fn, f"log group {fn.log_group_name} retains {count(group.retention_days, 'day')} (< {minimum})", **evidence)
