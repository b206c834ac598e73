"""SNS topic encryption through moto's server, and a denied per-topic getter."""

from __future__ import annotations

from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
CHECK = "aws.sns.topic_kms_encrypted"


def test_topic_kms_encrypted(aws):
    sns = aws.client("sns")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    sns.create_topic(Name="pass-aws-managed-key", Attributes={"KmsMasterKeyId": "alias/aws/sns"})
    sns.create_topic(Name="pass-customer-key", Attributes={"KmsMasterKeyId": key})
    sns.create_topic(Name="fail-plain")
    aws.client("sns", "eu-west-1").create_topic(Name="fail-eu-plain")
    report = aws.scan(CHECK, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.sns.topic_kms_encrypted") == {
        ("pass-aws-managed-key", "PASS"),
        ("pass-customer-key", "PASS"),
        ("fail-plain", "FAIL"),
        ("fail-eu-plain", "FAIL"),
    }
    assert finding(report, CHECK, "pass-customer-key").evidence["kms_master_key_id"] == key
    assert finding(report, CHECK, "fail-plain").message == "KmsMasterKeyId is not set: server-side encryption is off"


def test_denied_topic_attributes_is_error_per_topic(aws, denied_session):
    aws.client("sns").create_topic(Name="pass-aws-managed-key", Attributes={"KmsMasterKeyId": "alias/aws/sns"})
    report = aws.scan(CHECK, session=denied_session("sns:GetTopicAttributes"))
    assert verdicts(report, "aws.sns.topic_kms_encrypted") == {("pass-aws-managed-key", "ERROR")}
    assert "access denied to sns:GetTopicAttributes" in finding(report, CHECK, "pass-aws-managed-key").message


def test_denied_list_topics_is_error(aws, denied_session):
    aws.client("sns").create_topic(Name="fail-plain")
    report = aws.scan(CHECK, session=denied_session("sns:ListTopics"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.sns.topic_kms_encrypted") == {(region, "ERROR")}
