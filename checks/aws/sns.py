"""SNS: topics encrypted with KMS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.sns.topic_kms_encrypted",
    title="SNS topics encrypt messages at rest with KMS",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::SNS::Topic",
    reads=["aws.sns.topics:attributes"],
    remediation="aws sns set-topic-attributes --attribute-name KmsMasterKeyId --attribute-value <key> "
    "(alias/aws/sns, or a customer-managed key whose policy allows the publishers).",
)
def topic_kms_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Messages wait on SNS's disks until every subscriber has them; alerts and notifications often
    carry confidential data (C1.1, CC6.1). Server-side encryption with a KMS key protects them at
    rest and puts a key policy in front of them."""
    for topic in inv.sns.topics:
        if topic.kms_master_key_id:
            yield Result.passed(topic, f"KmsMasterKeyId is {topic.kms_master_key_id}", kms_master_key_id=topic.kms_master_key_id)
        else:
            yield Result.failed(topic, "KmsMasterKeyId is not set: server-side encryption is off", kms_master_key_id=None)
