"""The CIS monitoring set through moto's server: trail -> log group -> metric filter -> alarm -> SNS
topic with a confirmed subscription, for each of the fifteen event families; plus the filter
pattern comparison on its own.

moto confirms every subscription at once (no PendingConfirmation), so "no confirmed subscription"
is a topic without subscriptions; the pending case is covered by the inventory-level test below.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.stub import Stubber

from checks.aws.cloudwatch import FAMILIES, PatternError, covers, parse_pattern
from scanner.collect.aws._client import AwsApi, AwsCollection
from scanner.engine.evaluate import build_report, evaluate
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.models.aws import AwsInventory
from scanner.models.aws.cloudtrail import CloudTrail, Trail
from scanner.models.aws.cloudwatch import CloudWatch, MetricAlarm, MetricRef
from scanner.models.aws.logs import Logs, MetricFilter, MetricTransformation
from scanner.models.aws.sns import Sns, Topic
from scanner.models.common import Coverage, CoverageState, Status
from scanner.models.inventory import Identity, Inventory, InventoryMetadata
from scanner.registry import load_checks, select_checks
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
ACCOUNT_NAME = f"account {ACCOUNT}"
REGION_NAME = f"account {ACCOUNT} in us-east-1"
GROUP = "cloudtrail/management"
GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{GROUP}:*"
CHECKS = tuple(f"aws.cloudwatch.alarm_{key}" for key in FAMILIES)

# The patterns as users write them: CIS text of several benchmark versions, reordered, re-spaced.
USER_PATTERNS = {
    # CIS v3.0 text (&& and || mixed without parentheses)
    "unauthorized_api_calls": '{($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && '
    '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket")}',
    # CIS v1.2 text, terms swapped, bare value
    "console_signin_without_mfa": '{ ($.additionalEventData.MFAUsed != "Yes") && ($.eventName = ConsoleLogin) }',
    "root_account_usage": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    # OR terms in another order, no spaces
    "iam_policy_changes": "{($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||"
    "($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)||"
    "($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
    "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||"
    "($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)}",
    "cloudtrail_config_changes": "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
    "($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    "console_auth_failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "cmk_disable_or_deletion": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }",
    "s3_bucket_policy_changes": "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
    "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
    "($.eventName = DeleteBucketReplication)) }",
    "config_changes": "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
    "($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }",
    "security_group_changes": "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
    "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
    "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    "nacl_changes": "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || "
    "($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "network_gateway_changes": "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
    "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || "
    "($.eventName = DetachInternetGateway) }",
    # CIS v1.2 text: no eventSource term (broader than v3.0: accepted)
    "route_table_changes": "{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
    "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || "
    "($.eventName = DisassociateRouteTable) }",
    "vpc_changes": "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
    "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
    "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
    "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || "
    "($.eventName = EnableVpcClassicLink) }",
    "organizations_changes": '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
    '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || '
    '($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || '
    '($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || '
    '($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || '
    '($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || '
    '($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
}


# -- the pattern comparison -----------------------------------------------------------------------------
def test_every_user_pattern_covers_its_cis_pattern_and_no_other():
    for key, family in FAMILIES.items():
        assert covers(USER_PATTERNS[key], family.pattern), key
        assert covers(family.pattern, family.pattern), key
        others = [other for other in FAMILIES if other != key and covers(USER_PATTERNS[key], FAMILIES[other].pattern)]
        assert others == [], key


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }', False),  # a term missing
        ('{ ($.eventName = ScheduleKeyDeletion) || ($.eventName = DisableKey) }', True),  # broader: any source
        ('{ $.eventSource = "kms.amazonaws.com" && $.eventName = DisableKey || $.eventName = ScheduleKeyDeletion }', True),
        ('{ $.eventSource = kms.amazonaws.com && ($.eventName = DisableKey || $.eventName = DeleteAlias) }', False),
        ("DisableKey ScheduleKeyDeletion", False),  # a text pattern, not JSON
        ("{ ($.eventName = DisableKey ", False),  # malformed
        ("", False),
    ],
)
def test_cmk_pattern_variants(pattern, expected):
    assert covers(pattern, FAMILIES["cmk_disable_or_deletion"].pattern) is expected


def test_mixed_operators_must_cover_under_both_readings():
    """`A || B && C`: standard precedence reads A || (B && C), left-to-right (A || B) && C."""
    assert len(parse_pattern("{ $.a = 1 || $.b = 2 && $.c = 3 }")) == 2
    assert len(parse_pattern("{ ($.a = 1 || $.b = 2) && $.c = 3 }")) == 1
    # Required (A && C) || (B && C): covered under both readings.
    assert covers("{ $.a = 1 || $.b = 2 && $.c = 3 }", "{ ($.a = 1 && $.c = 3) || ($.b = 2 && $.c = 3) }")
    # Required A: the left-to-right reading (A || B) && C misses A-without-C events.
    assert not covers("{ $.a = 1 || $.b = 2 && $.c = 3 }", "{ $.a = 1 }")
    with pytest.raises(PatternError):
        parse_pattern("{ $.a = }")


# -- the chain through moto ------------------------------------------------------------------------------
def _trail(aws, name: str = "org-trail", log_group_arn: str | None = GROUP_ARN, multi_region: bool = True) -> None:
    aws.client("s3").create_bucket(Bucket=f"{name}-logs")
    settings = {"CloudWatchLogsLogGroupArn": log_group_arn, "CloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ct"} if log_group_arn else {}
    arn = aws.client("cloudtrail").create_trail(Name=name, S3BucketName=f"{name}-logs", IsMultiRegionTrail=multi_region, **settings)["TrailARN"]
    aws.client("cloudtrail").start_logging(Name=arn)


def _alarm(cw, name: str, metric: str, actions: list[str], enabled: bool = True) -> None:
    cw.put_metric_alarm(
        AlarmName=name, MetricName=metric, Namespace="CISBenchmark", Statistic="Sum", Period=300, EvaluationPeriods=1,
        Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=actions, ActionsEnabled=enabled,
    )


def _complete_chain(aws, families: tuple[str, ...] = tuple(FAMILIES)) -> dict[str, str]:
    """Trail -> log group -> one filter per family -> alarm -> topic with a subscriber."""
    _trail(aws)
    logs, cw, sns = aws.client("logs"), aws.client("cloudwatch"), aws.client("sns")
    logs.create_log_group(logGroupName=GROUP)
    topic = sns.create_topic(Name="security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="soc@example.com")
    for key in families:
        logs.put_metric_filter(
            logGroupName=GROUP, filterName=key, filterPattern=USER_PATTERNS[key],
            metricTransformations=[{"metricName": key, "metricNamespace": "CISBenchmark", "metricValue": "1"}],
        )
        _alarm(cw, f"cis-{key}", key, [topic])
    return {"topic": topic}


def test_complete_chains_pass_and_each_broken_link_fails(aws):
    chain = _complete_chain(aws)
    report = aws.scan(*CHECKS)
    assert verdicts(report, "aws.cloudwatch.alarm_unauthorized_api_calls") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_console_signin_without_mfa") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_root_account_usage") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_iam_policy_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_cloudtrail_config_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_console_auth_failures") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_cmk_disable_or_deletion") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_s3_bucket_policy_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_config_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_security_group_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_nacl_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_network_gateway_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_route_table_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_vpc_changes") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudwatch.alarm_organizations_changes") == {(ACCOUNT_NAME, "PASS")}
    passed = finding(report, "aws.cloudwatch.alarm_root_account_usage", ACCOUNT_NAME)
    assert passed.message == (
        f"metric filter root_account_usage on {GROUP} -> alarm cis-root_account_usage -> topic security-alerts (1 confirmed subscription(s))"
    )
    assert passed.evidence["trail"] == "org-trail" and passed.evidence["topic"] == chain["topic"]
    # Each metric filter, alarm and topic list was read once for the fifteen checks.
    assert report.metadata.api_calls["logs:DescribeMetricFilters"] == 1
    assert report.metadata.api_calls["cloudwatch:DescribeAlarms"] == 1
    assert report.metadata.api_calls["sns:ListSubscriptionsByTopic"] == 1

    # Break one link per family, in every way the chain can break.
    logs, cw, sns = aws.client("logs"), aws.client("cloudwatch"), aws.client("sns")
    bare = sns.create_topic(Name="nobody-listens")["TopicArn"]
    _alarm(cw, "cis-root_account_usage", "root_account_usage", [bare])  # topic without a subscriber
    _alarm(cw, "cis-cloudtrail_config_changes", "cloudtrail_config_changes", [])  # no action
    _alarm(cw, "cis-vpc_changes", "vpc_changes", [chain["topic"]], enabled=False)  # actions disabled
    _alarm(cw, "cis-security_group_changes", "security_group_changes", ["arn:aws:automate:us-east-1:ec2:stop"])  # not SNS
    cw.delete_alarms(AlarmNames=["cis-console_auth_failures", "cis-nacl_changes"])  # no alarm on the metric
    _alarm(cw, "cis-network_gateway_changes", "some-other-metric", [chain["topic"]])  # alarm on another metric
    for key, pattern in {
        "cmk_disable_or_deletion": "{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }",
        "unauthorized_api_calls": '{ $.errorCode = "AccessDenied*" }',
        "console_signin_without_mfa": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") }',
        "route_table_changes": "{ ($.eventName = CreateRoute) || ($.eventName = DeleteRoute) }",
        "iam_policy_changes": "PutUserPolicy AttachUserPolicy",
    }.items():
        # (moto appends a second filter of the same name where AWS replaces it: delete first)
        logs.delete_metric_filter(logGroupName=GROUP, filterName=key)
        logs.put_metric_filter(
            logGroupName=GROUP, filterName=key, filterPattern=pattern,
            metricTransformations=[{"metricName": key, "metricNamespace": "CISBenchmark", "metricValue": "1"}],
        )
    for key in ("s3_bucket_policy_changes", "config_changes"):
        logs.delete_metric_filter(logGroupName=GROUP, filterName=key)
    # A correct filter on a log group no trail delivers to does not count.
    logs.create_log_group(logGroupName="app-logs")
    logs.delete_metric_filter(logGroupName=GROUP, filterName="organizations_changes")
    logs.put_metric_filter(
        logGroupName="app-logs", filterName="organizations_changes", filterPattern=USER_PATTERNS["organizations_changes"],
        metricTransformations=[{"metricName": "organizations_changes", "metricNamespace": "CISBenchmark", "metricValue": "1"}],
    )
    broken = aws.scan(*CHECKS)
    assert verdicts(broken, "aws.cloudwatch.alarm_unauthorized_api_calls") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_console_signin_without_mfa") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_root_account_usage") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_iam_policy_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_cloudtrail_config_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_console_auth_failures") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_cmk_disable_or_deletion") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_s3_bucket_policy_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_config_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_security_group_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_nacl_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_network_gateway_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_route_table_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_vpc_changes") == {(ACCOUNT_NAME, "FAIL")}
    assert verdicts(broken, "aws.cloudwatch.alarm_organizations_changes") == {(ACCOUNT_NAME, "FAIL")}

    def message(family: str) -> str:
        return finding(broken, f"aws.cloudwatch.alarm_{family}", ACCOUNT_NAME).message

    where = f"log group {GROUP} (us-east-1) of trail org-trail"
    assert message("root_account_usage") == "alarm cis-root_account_usage notifies topic nobody-listens, which has no confirmed subscription"
    assert message("cloudtrail_config_changes") == "alarm cis-cloudtrail_config_changes on cloudtrail_config_changes has no SNS topic among its alarm actions"
    assert message("vpc_changes") == "alarm cis-vpc_changes on vpc_changes has its actions disabled"
    assert message("security_group_changes").endswith("has no SNS topic among its alarm actions")
    assert message("console_auth_failures") == (
        "metric filter console_auth_failures feeds CISBenchmark/console_auth_failures, which no alarm watches"
    )
    assert message("network_gateway_changes").endswith("which no alarm watches")
    assert message("cmk_disable_or_deletion") == (
        f"no metric filter on {where} matches the CIS pattern for disabling or scheduled deletion of customer-managed keys "
        "(12 filter(s) checked)"
    )
    for family in ("unauthorized_api_calls", "console_signin_without_mfa", "route_table_changes", "iam_policy_changes",
                   "s3_bucket_policy_changes", "config_changes", "organizations_changes"):
        assert message(family).startswith(f"no metric filter on {where} matches"), family


def test_trail_requirements(aws):
    """Only a multi-region trail that is logging and delivers to CloudWatch Logs counts."""
    _complete_chain(aws, ("root_account_usage",))
    aws.client("cloudtrail").stop_logging(Name="org-trail")
    _trail(aws, "regional-trail", multi_region=False)
    _trail(aws, "no-cloudwatch", log_group_arn=None)
    report = aws.scan("aws.cloudwatch.alarm_root_account_usage")
    assert verdicts(report, "aws.cloudwatch.alarm_root_account_usage") == {(ACCOUNT_NAME, "FAIL")}
    assert finding(report, "aws.cloudwatch.alarm_root_account_usage", ACCOUNT_NAME).message == (
        "no multi-region CloudTrail trail that is logging delivers to CloudWatch Logs"
    )


def test_denied_metric_filters_is_error_never_pass(aws, denied_session):
    _complete_chain(aws, ("root_account_usage",))
    report = aws.scan("aws.cloudwatch.alarm_root_account_usage", session=denied_session("logs:DescribeMetricFilters"))
    assert verdicts(report, "aws.cloudwatch.alarm_root_account_usage") == {(REGION_NAME, "ERROR")}
    assert "access denied to logs:DescribeMetricFilters" in finding(report, "aws.cloudwatch.alarm_root_account_usage", REGION_NAME).message
    assert [e.key for e in report.collection_errors] == ["aws.logs.metric_filters"]


def test_denied_alarms_in_one_region_is_error_and_unknown(aws, denied_session):
    """moto authorises CloudWatch requests as "monitoring:<Action>" (the SigV4 signing name), where
    IAM's action is cloudwatch:DescribeAlarms: the Deny names moto's form. The Deny holds in every
    region, so eu-west-1's DescribeAlarms is a botocore Stubber on a real cloudwatch client (an empty
    answer validated against the service model) put in the AwsApi client cache: us-east-1, the
    trail's region, is ERROR and the account-level verdict UNKNOWN, not FAIL."""
    _complete_chain(aws, ("vpc_changes",))
    session = denied_session("monitoring:DescribeAlarms")
    eu = aws.client("cloudwatch", "eu-west-1")
    stubber = Stubber(eu)
    stubber.add_response("describe_alarms", {"MetricAlarms": []}, {"AlarmTypes": ["MetricAlarm"]})
    stubber.activate()
    checks = select_checks(load_checks(), provider="aws", ids=["aws.cloudwatch.alarm_vpc_changes"])
    pool = WorkPool(8)
    try:
        api = AwsApi(pool, endpoint_url=aws.endpoint_url, session=session, max_attempts=2)
        api._clients[("cloudwatch", "eu-west-1")] = eu
        options = ScanOptions(checks=checks)
        report = report_for(collect(AwsCollection(api, regions=["us-east-1", "eu-west-1"]), pool, options), options, source="test")
    finally:
        pool.shutdown()
    stubber.assert_no_pending_responses()
    assert verdicts(report, "aws.cloudwatch.alarm_vpc_changes") == {(REGION_NAME, "ERROR"), (ACCOUNT_NAME, "UNKNOWN")}
    assert "access denied to cloudwatch:DescribeAlarms in us-east-1" in finding(report, "aws.cloudwatch.alarm_vpc_changes", REGION_NAME).message
    assert "access denied to cloudwatch:DescribeAlarms" in finding(report, "aws.cloudwatch.alarm_vpc_changes", REGION_NAME).message


def test_denied_topic_subscriptions_is_unknown_never_pass(aws, denied_session):
    """A denied per-topic getter leaves the topic listed with the facet unreadable: the chain stops
    there, so the verdict is UNKNOWN with the reason, not PASS or FAIL."""
    _complete_chain(aws, ("vpc_changes",))
    report = aws.scan("aws.cloudwatch.alarm_vpc_changes", session=denied_session("sns:ListSubscriptionsByTopic"))
    assert verdicts(report, "aws.cloudwatch.alarm_vpc_changes") == {(ACCOUNT_NAME, "UNKNOWN")}
    assert "could not read subscriptions of security-alerts: access denied to sns:ListSubscriptionsByTopic" in (
        finding(report, "aws.cloudwatch.alarm_vpc_changes", ACCOUNT_NAME).message
    )


# -- what moto cannot show: a pending subscription, a log group in another account -------------------
def _inventory(trail_group_arn: str, topic: Topic) -> Inventory:
    keys = ("aws.cloudtrail.trails", "aws.logs.metric_filters", "aws.cloudwatch.alarms", "aws.sns.topics")
    region = {"region": "us-east-1", "account": ACCOUNT}
    return Inventory(
        metadata=InventoryMetadata(
            tool_version="test", provider="aws", collected_at=datetime(2026, 1, 1, tzinfo=UTC),
            identity=Identity(account=ACCOUNT, principal=f"arn:aws:iam::{ACCOUNT}:user/scanner", partition="aws"),
            regions=["us-east-1"],
        ),
        coverage=[Coverage(key=key, scope="us-east-1", state=CoverageState.COLLECTED) for key in keys],
        aws=AwsInventory(
            cloudtrail=CloudTrail(trails=[Trail(
                id=f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org", name="org", **region, home_region="us-east-1",
                is_multi_region=True, is_logging=True, log_file_validation_enabled=True, cloudwatch_logs_log_group_arn=trail_group_arn,
            )]),
            logs=Logs(metric_filters=[MetricFilter(
                id=f"{GROUP_ARN}:metric-filter:root", name="root", **region, log_group_name=GROUP,
                filter_pattern=FAMILIES["root_account_usage"].pattern,
                transformations=[MetricTransformation(metric_name="root", metric_namespace="CIS")],
            )]),
            cloudwatch=CloudWatch(alarms=[MetricAlarm(
                id=f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:root", name="root", **region,
                metrics=[MetricRef(name="root", namespace="CIS")], alarm_actions=[topic.id],
            )]),
            sns=Sns(topics=[topic]),
        ),
    )


def test_pending_subscription_and_foreign_log_group_on_a_constructed_inventory():
    """moto confirms subscriptions at once and keeps one account: an inventory built from the models,
    evaluated with scanner.engine.evaluate.evaluate."""
    checks = select_checks(load_checks(), provider="aws", ids=["aws.cloudwatch.alarm_root_account_usage"])
    topic_arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
    pending = Topic(id=topic_arn, name="alerts", region="us-east-1", account=ACCOUNT, subscriptions_pending=1)
    inventory = _inventory(GROUP_ARN, pending)
    findings = evaluate(inventory, checks, {})
    report = build_report(inventory, findings, checks, {}, source="test", started_at=inventory.metadata.collected_at)
    assert verdicts(report, "aws.cloudwatch.alarm_root_account_usage") == {(ACCOUNT_NAME, "FAIL")}
    assert finding(report, "aws.cloudwatch.alarm_root_account_usage", ACCOUNT_NAME).message == (
        "alarm root notifies topic alerts, which has no confirmed subscription, 1 pending"
    )
    confirmed = pending.model_copy(update={"subscriptions_confirmed": 1})
    foreign = _inventory(GROUP_ARN.replace(ACCOUNT, "999999999999"), confirmed)
    findings = evaluate(foreign, checks, {})
    (result,) = findings
    assert result.status == Status.FAIL
    assert result.message == f"log group {GROUP} (us-east-1) of trail org is in account 999999999999, whose metric filters this scan cannot read"
    assert [f.status for f in evaluate(_inventory(GROUP_ARN, confirmed), checks, {})] == [Status.PASS]
