"""CloudWatch: the CIS monitoring set, a metric filter with an alarm and a subscriber per event family.

For each family the chain an auditor follows is: a multi-region CloudTrail trail that is logging and
delivers to a CloudWatch Logs group -> a metric filter on that group whose pattern catches at least
the events of the CIS pattern -> a metric alarm on the filter's metric -> an enabled alarm action
that is an SNS topic -> a confirmed subscription on that topic. `alarm_chain` evaluates it once for
all fifteen checks; the checks differ only in their pattern and their rationale.

Patterns are compared by meaning, not text: a JSON filter pattern `{ ... }` is parsed into its
comparison terms and &&/|| structure and expanded into disjunctive normal form (a set of
conjunctions). A filter covers the CIS pattern when each CIS conjunction is implied by one of the
filter's, i.e. the filter raises the metric on every event the CIS pattern matches. Whitespace,
quoting, redundant parentheses and the order of OR terms do not matter, and the older, broader CIS
versions of a pattern (e.g. without the `sourceIPAddress != delivery.logs...` exclusion) are
accepted. Where a pattern mixes && and || without parentheses it must cover under both readings
(&& binding tighter, and left to right), since the result must not depend on operator precedence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.models.index import group_by, per_inventory
from scanner.registry import CheckContext, CheckFunc, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory
    from scanner.models.aws.cloudwatch import MetricAlarm
    from scanner.models.aws.logs import MetricFilter

# -- filter pattern parsing ---------------------------------------------------------------------------

Term = tuple[str, str, str | None]  # (selector, operator, value)
Dnf = frozenset[frozenset[Term]]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<and>&&)|(?P<or>\|\|)|(?P<lp>\()|(?P<rp>\))|
        (?P<sel>\$[^\s()&|=!<>]*)|
        (?P<op>!=|>=|<=|=|>|<)|
        (?P<kw>NOT\s+EXISTS|EXISTS|IS\s+NULL|IS\s+TRUE|IS\s+FALSE)(?![^\s()&|])|
        (?P<str>"(?:[^"\\]|\\.)*")|
        (?P<word>[^\s()&|"]+)
    )""",
    re.VERBOSE,
)
_MAX_CONJUNCTIONS = 4096


class PatternError(ValueError):
    """The filter pattern is not a JSON pattern this parser understands."""


def _tokens(body: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    body = body.rstrip()
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if not match or match.end() == pos:
            raise PatternError(f"unexpected text at {body[pos:pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def _value(kind: str, text: str) -> str:
    if kind == "str":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], left_to_right: bool) -> None:
        self.tokens = tokens
        self.pos = 0
        self.left_to_right = left_to_right  # && and || with equal precedence, applied left to right

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens) or (kind and self.tokens[self.pos][0] != kind):
            raise PatternError(f"expected {kind or 'more'} at token {self.pos}")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def parse(self) -> Dnf:
        result = self.expression()
        if self.pos != len(self.tokens):
            raise PatternError(f"unexpected {self.tokens[self.pos][1]!r}")
        return result

    def expression(self) -> Dnf:
        if self.left_to_right:
            result = self.primary()
            while self.peek() in ("and", "or"):
                op = self.take()[0]
                result = _and(result, self.primary()) if op == "and" else result | self.primary()
            return result
        result = self.conjunction()
        while self.peek() == "or":
            self.take()
            result = result | self.conjunction()
        return result

    def conjunction(self) -> Dnf:
        result = self.primary()
        while self.peek() == "and":
            self.take()
            result = _and(result, self.primary())
        return result

    def primary(self) -> Dnf:
        if self.peek() == "lp":
            self.take("lp")
            inner = self.expression()
            self.take("rp")
            return inner
        selector = self.take("sel")[1]
        kind = self.peek()
        if kind == "kw":
            keyword = " ".join(self.take()[1].split())
            return frozenset({frozenset({(selector, keyword, None)})})
        op = self.take("op")[1]
        value_kind, text = self.take()
        if value_kind not in ("str", "word"):
            raise PatternError(f"expected a value after {selector} {op}")
        return frozenset({frozenset({(selector, op, _value(value_kind, text))})})


def _and(left: Dnf, right: Dnf) -> Dnf:
    if len(left) * len(right) > _MAX_CONJUNCTIONS:
        raise PatternError("pattern too large to compare")
    return frozenset(a | b for a in left for b in right)


def parse_pattern(pattern: str) -> list[Dnf]:
    """The pattern's meaning in DNF: one reading, or two when && and || mix without parentheses."""
    text = pattern.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise PatternError("not a JSON filter pattern ({ ... })")
    tokens = _tokens(text[1:-1])
    standard = _Parser(tokens, left_to_right=False).parse()
    ltr = _Parser(tokens, left_to_right=True).parse()
    return [standard] if ltr == standard else [standard, ltr]


def covers(pattern: str, required: str) -> bool:
    """Whether a filter pattern raises its metric on every event the required pattern matches."""
    try:
        readings = parse_pattern(pattern)
    except PatternError:
        return False
    (needed,) = parse_pattern(required)
    return all(all(any(mine <= theirs for mine in reading) for theirs in needed) for reading in readings)


# -- the CIS event families ----------------------------------------------------------------------------


def _any_event(*names: str, source: str | None = None) -> str:
    terms = " || ".join(f"($.eventName = {n})" for n in names)
    return f"{{ ($.eventSource = {source}) && ({terms}) }}" if source else f"{{ {terms} }}"


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    pattern: str  # the narrowest CIS version of the pattern; broader versions cover it


FAMILIES = {
    f.key: f
    for f in (
        Family(
            "unauthorized_api_calls",
            "unauthorized API calls",
            '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) '
            '&& ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
        ),
        Family(
            "console_signin_without_mfa",
            "console sign-in without MFA",
            '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") '
            '&& ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        ),
        Family(
            "root_account_usage",
            "root account usage",
            '{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }',
        ),
        Family(
            "iam_policy_changes",
            "IAM policy changes",
            _any_event(
                "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
                "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
                "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
                "DetachGroupPolicy",
            ),
        ),
        Family(
            "cloudtrail_config_changes",
            "CloudTrail configuration changes",
            _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
        ),
        Family(
            "console_auth_failures",
            "console authentication failures",
            '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        ),
        Family(
            "cmk_disable_or_deletion",
            "disabling or scheduled deletion of customer-managed keys",
            _any_event("DisableKey", "ScheduleKeyDeletion", source="kms.amazonaws.com"),
        ),
        Family(
            "s3_bucket_policy_changes",
            "S3 bucket policy changes",
            _any_event(
                "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
                "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
                source="s3.amazonaws.com",
            ),
        ),
        Family(
            "config_changes",
            "AWS Config configuration changes",
            _any_event(
                "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder",
                source="config.amazonaws.com",
            ),
        ),
        Family(
            "security_group_changes",
            "security group changes",
            _any_event(
                "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup",
            ),
        ),
        Family(
            "nacl_changes",
            "network ACL changes",
            _any_event(
                "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
                "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
            ),
        ),
        Family(
            "network_gateway_changes",
            "network gateway changes",
            _any_event(
                "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
                "DeleteInternetGateway", "DetachInternetGateway",
            ),
        ),
        Family(
            "route_table_changes",
            "route table changes",
            _any_event(
                "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
                "DeleteRoute", "DisassociateRouteTable",
                source="ec2.amazonaws.com",
            ),
        ),
        Family(
            "vpc_changes",
            "VPC changes",
            _any_event(
                "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
                "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
                "DisableVpcClassicLink", "EnableVpcClassicLink",
            ),
        ),
        Family(
            "organizations_changes",
            "AWS Organizations changes",
            _any_event(
                "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
                "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy",
                "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization",
                "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
                source="organizations.amazonaws.com",
            ),
        ),
    )
}

READS = ["aws.cloudtrail.trails", "aws.logs.metric_filters", "aws.cloudwatch.alarms", "aws.sns.topics:subscriptions"]
REMEDIATION = (
    "On the log group of a multi-region trail that is logging: put-metric-filter with the CIS pattern, "
    "put-metric-alarm on its metric (threshold >= 1) with an SNS topic as alarm action, and confirm a "
    "subscription on the topic."
)


def _log_group(arn: str) -> tuple[str, str, str] | None:
    """(region, account, name) of `arn:aws:logs:<region>:<account>:log-group:<name>[:*]`."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
        return None
    return parts[3], parts[4], parts[6]


@per_inventory
def _filters_by_log_group(inv: AwsInventory) -> dict[tuple[str, str], list[MetricFilter]]:
    return group_by(inv.logs.metric_filters, lambda f: (f.region, f.log_group_name))


@per_inventory
def _alarms_by_metric(inv: AwsInventory) -> dict[tuple[str, str, str], list[MetricAlarm]]:
    """Each alarm under the (region, namespace, name) of every metric it watches, once per metric."""
    alarms: dict[tuple[str, str, str], list[MetricAlarm]] = {}
    for alarm in inv.cloudwatch.alarms:
        for key in dict.fromkeys((alarm.region, m.namespace, m.name) for m in alarm.metrics):
            alarms.setdefault(key, []).append(alarm)
    return alarms


def alarm_chain(inv: AwsInventory, ctx: CheckContext, family_key: str) -> Iterator[Result]:
    """One account-level verdict: PASS with the first complete chain, else FAIL naming the furthest
    link reached (UNKNOWN when an input could not be read everywhere)."""
    family = FAMILIES[family_key]
    topics = {t.id: t for t in inv.sns.topics}
    stage, reason, unreadable = 0, "no multi-region CloudTrail trail that is logging delivers to CloudWatch Logs", []
    evidence: dict = {"family": family.label}

    def further(level: int, why: str) -> None:
        nonlocal stage, reason
        if level > stage:
            stage, reason = level, why

    trails = [t for t in inv.cloudtrail.trails if t.is_multi_region and t.is_logging and t.cloudwatch_logs_log_group_arn]
    for trail in sorted(trails, key=lambda t: t.id):
        located = _log_group(trail.cloudwatch_logs_log_group_arn or "")
        if located is None:
            continue
        region, account, group = located
        where = f"log group {group} ({region}) of trail {trail.name}"
        if account != trail.account:
            further(1, f"{where} is in account {account}, whose metric filters this scan cannot read")
            continue
        filters = _filters_by_log_group(inv).get((region, group), [])
        matching = [f for f in filters if covers(f.filter_pattern, family.pattern)]
        further(1, f"no metric filter on {where} matches the CIS pattern for {family.label} ({len(filters)} filter(s) checked)")
        for flt in sorted(matching, key=lambda f: f.name):
            for metric in flt.transformations:
                alarms = _alarms_by_metric(inv).get((region, metric.metric_namespace, metric.metric_name), [])
                further(2, f"metric filter {flt.name} feeds {metric.metric_namespace}/{metric.metric_name}, which no alarm watches")
                for alarm in sorted(alarms, key=lambda a: a.name):
                    sns_actions = [arn for arn in alarm.alarm_actions if arn.split(":")[2:3] == ["sns"]]
                    if not alarm.actions_enabled or not sns_actions:
                        why = "has its actions disabled" if not alarm.actions_enabled else "has no SNS topic among its alarm actions"
                        further(3, f"alarm {alarm.name} on {metric.metric_name} {why}")
                        continue
                    for arn in sns_actions:
                        topic = topics.get(arn)
                        if topic is None:
                            further(4, f"alarm {alarm.name} notifies topic {arn}, which does not exist in the scanned regions")
                        elif "subscriptions" in topic.errors:
                            unreadable.append(f"subscriptions of {topic.name}: {topic.errors['subscriptions']}")
                        elif topic.subscriptions_confirmed:
                            yield Result.passed(
                                ctx.account,
                                f"metric filter {flt.name} on {group} -> alarm {alarm.name} -> topic {topic.name} "
                                f"({topic.subscriptions_confirmed} confirmed subscription(s))",
                                **evidence,
                                trail=trail.name,
                                log_group=group,
                                metric_filter=flt.name,
                                metric=f"{metric.metric_namespace}/{metric.metric_name}",
                                alarm=alarm.name,
                                topic=topic.id,
                            )
                            return
                        else:
                            pending = f", {topic.subscriptions_pending} pending" if topic.subscriptions_pending else ""
                            further(4, f"alarm {alarm.name} notifies topic {topic.name}, which has no confirmed subscription{pending}")
    evidence["trails"] = sorted(t.name for t in trails)
    if unreadable:
        yield Result.unknown(ctx.account, f"{reason}; could not read {'; '.join(unreadable)}", **evidence)
    elif all(ctx.complete(key.split(":", 1)[0]) for key in READS):
        yield Result.failed(ctx.account, reason, **evidence)
    else:
        yield Result.unknown(ctx.account, f"{reason} in the regions that could be read", **evidence)


def _alarm_check(family: str, title: str, severity: Severity) -> Callable[[CheckFunc], CheckFunc]:
    return check(
        id=f"aws.cloudwatch.alarm_{family}",
        title=title,
        severity=severity,
        category=Category.LOGGING,
        resource_type="AWS::CloudWatch::Alarm",
        reads=READS,
        remediation=REMEDIATION,
    )


@_alarm_check("unauthorized_api_calls", "Unauthorized API calls raise a CloudWatch alarm with a subscriber", Severity.MEDIUM)
def alarm_unauthorized_api_calls(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Bursts of AccessDenied / UnauthorizedOperation errors are how reconnaissance with stolen
    credentials and broken automation show up; someone must be told (CIS 4.1; CC7.2, CC7.3)."""
    yield from alarm_chain(inv, ctx, "unauthorized_api_calls")


@_alarm_check("console_signin_without_mfa", "Console sign-ins without MFA raise a CloudWatch alarm with a subscriber", Severity.HIGH)
def alarm_console_signin_without_mfa(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A successful console sign-in without MFA means an account escaped the MFA control; the alarm
    detects the exception the preventive control missed (CIS 4.2; CC6.1, CC7.2)."""
    yield from alarm_chain(inv, ctx, "console_signin_without_mfa")


@_alarm_check("root_account_usage", "Root account usage raises a CloudWatch alarm with a subscriber", Severity.HIGH)
def alarm_root_account_usage(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Root activity should be rare and explained; an alarm on every root call makes each one a
    reviewed event (CIS 4.3; CC7.2, CC7.3)."""
    yield from alarm_chain(inv, ctx, "root_account_usage")


@_alarm_check("iam_policy_changes", "IAM policy changes raise a CloudWatch alarm with a subscriber", Severity.MEDIUM)
def alarm_iam_policy_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Changes to who may do what are the changes an attacker makes first and a reviewer must see
    (CIS 4.4; CC7.2, CC8.1)."""
    yield from alarm_chain(inv, ctx, "iam_policy_changes")


@_alarm_check("cloudtrail_config_changes", "CloudTrail configuration changes raise a CloudWatch alarm with a subscriber", Severity.HIGH)
def alarm_cloudtrail_config_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Stopping or altering a trail blinds every other detective control; it must alert at once
    (CIS 4.5; CC7.2)."""
    yield from alarm_chain(inv, ctx, "cloudtrail_config_changes")


@_alarm_check("console_auth_failures", "Console authentication failures raise a CloudWatch alarm with a subscriber", Severity.LOW)
def alarm_console_auth_failures(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Repeated failed console sign-ins indicate password guessing against the account (CIS 4.6;
    CC7.2)."""
    yield from alarm_chain(inv, ctx, "console_auth_failures")


@_alarm_check("cmk_disable_or_deletion", "Disabling or scheduling deletion of a KMS key raises a CloudWatch alarm with a subscriber", Severity.MEDIUM)
def alarm_cmk_disable_or_deletion(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A disabled or deleted key makes everything encrypted with it unreadable: destructive, and
    within the deletion window still reversible if someone is told (CIS 4.7; CC7.2, A1.2)."""
    yield from alarm_chain(inv, ctx, "cmk_disable_or_deletion")


@_alarm_check("s3_bucket_policy_changes", "S3 bucket policy changes raise a CloudWatch alarm with a subscriber", Severity.MEDIUM)
def alarm_s3_bucket_policy_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Bucket policies, ACLs, CORS, lifecycle and replication decide who can read data and where it
    goes; a change can expose or destroy it (CIS 4.8; CC7.2, C1.1)."""
    yield from alarm_chain(inv, ctx, "s3_bucket_policy_changes")


@_alarm_check("config_changes", "AWS Config configuration changes raise a CloudWatch alarm with a subscriber", Severity.MEDIUM)
def alarm_config_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Stopping the Config recorder or its delivery channel ends the configuration history that
    change detection relies on (CIS 4.9; CC7.1, CC7.2)."""
    yield from alarm_chain(inv, ctx, "config_changes")


@_alarm_check("security_group_changes", "Security group changes raise a CloudWatch alarm with a subscriber", Severity.MEDIUM)
def alarm_security_group_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Security groups are the instance firewall; an unexpected rule can open a service to the
    internet (CIS 4.10; CC6.6, CC7.2)."""
    yield from alarm_chain(inv, ctx, "security_group_changes")


@_alarm_check("nacl_changes", "Network ACL changes raise a CloudWatch alarm with a subscriber", Severity.LOW)
def alarm_nacl_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Network ACLs filter traffic at the subnet boundary; changes alter what can reach the system
    (CIS 4.11; CC6.6, CC7.2)."""
    yield from alarm_chain(inv, ctx, "nacl_changes")


@_alarm_check("network_gateway_changes", "Network gateway changes raise a CloudWatch alarm with a subscriber", Severity.LOW)
def alarm_network_gateway_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Internet and customer gateways are the doors of the VPC; creating or attaching one opens a
    path in or out (CIS 4.12; CC6.6, CC7.2)."""
    yield from alarm_chain(inv, ctx, "network_gateway_changes")


@_alarm_check("route_table_changes", "Route table changes raise a CloudWatch alarm with a subscriber", Severity.LOW)
def alarm_route_table_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Routes decide where traffic flows; a changed route can divert it around inspection or out of
    the network (CIS 4.13; CC6.6, CC7.2)."""
    yield from alarm_chain(inv, ctx, "route_table_changes")


@_alarm_check("vpc_changes", "VPC changes raise a CloudWatch alarm with a subscriber", Severity.LOW)
def alarm_vpc_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """New VPCs, peering and attribute changes alter the network boundary of the system (CIS 4.14;
    CC6.6, CC7.2)."""
    yield from alarm_chain(inv, ctx, "vpc_changes")


@_alarm_check("organizations_changes", "AWS Organizations changes raise a CloudWatch alarm with a subscriber", Severity.MEDIUM)
def alarm_organizations_changes(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Organization changes (accounts joining or leaving, SCPs attached or detached) can remove
    guardrails from every account at once (CIS 4.15; CC7.2, CC8.1)."""
    yield from alarm_chain(inv, ctx, "organizations_changes")
