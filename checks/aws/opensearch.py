"""OpenSearch Service: encryption at rest, node-to-node and HTTPS with TLS 1.2; audit, slow and
error logs published; zone awareness."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.aws.elbv2 import TLS_RANK, names
from scanner.models.aws.opensearch import Domain
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

RESOURCE_TYPE = "AWS::OpenSearchService::Domain"
POLICY_VERSION = re.compile(r"^Policy-Min-TLS-(\d)-(\d)\b")


@check(
    id="aws.opensearch.encrypted_at_rest",
    title="OpenSearch domains encrypt data at rest",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.opensearch.domains"],
    remediation="Enable EncryptionAtRestOptions on the domain (with a customer-managed KMS key where keys must be controlled).",
)
def encrypted_at_rest(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Indexes, logs, swap files and automated snapshots hold the searched data; encryption at
    rest protects it on the storage media (CC6.1, C1.1)."""
    for domain in inv.opensearch.domains:
        if domain.encryption_at_rest:
            yield Result.passed(domain, "EncryptionAtRestOptions.Enabled is true", kms_key_id=domain.kms_key_id)
        else:
            yield Result.failed(domain, "EncryptionAtRestOptions.Enabled is false")


@check(
    id="aws.opensearch.node_to_node_encryption",
    title="OpenSearch domains encrypt traffic between nodes",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.opensearch.domains"],
    remediation="Enable NodeToNodeEncryptionOptions on the domain (OpenSearch / Elasticsearch 6.0 or later).",
)
def node_to_node_encryption(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Without node-to-node encryption, documents and queries travel in clear between the nodes of
    the cluster inside the VPC (CC6.7)."""
    for domain in inv.opensearch.domains:
        if domain.node_to_node_encryption:
            yield Result.passed(domain, "NodeToNodeEncryptionOptions.Enabled is true")
        else:
            yield Result.failed(domain, "NodeToNodeEncryptionOptions.Enabled is false")


@check(
    id="aws.opensearch.https_required",
    title="OpenSearch domains require HTTPS with a TLS 1.2 (or later) policy",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.opensearch.domains"],
    params={"min_tls_version": Param("TLSv1.2", choices=tuple(TLS_RANK))},
    remediation="Set DomainEndpointOptions EnforceHTTPS=true and TLSSecurityPolicy=Policy-Min-TLS-1-2-PFS-2023-10.",
)
def https_required(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Clients send documents, queries and credentials to the domain endpoint; it must refuse plain
    HTTP and TLS versions below 1.2 (CC6.7)."""
    minimum = ctx.params["min_tls_version"]
    for domain in inv.opensearch.domains:
        policy = domain.tls_security_policy
        evidence = {"enforce_https": domain.enforce_https, "tls_security_policy": policy, "min_tls_version": minimum}
        match = POLICY_VERSION.match(policy or "")
        version = f"TLSv{match.group(1)}.{match.group(2)}" if match else None
        if not domain.enforce_https:
            yield Result.failed(domain, "DomainEndpointOptions.EnforceHTTPS is false", **evidence)
        elif version is None or version not in TLS_RANK:
            yield Result.unknown(domain, f"EnforceHTTPS is true; TLSSecurityPolicy {policy} is not a known policy", **evidence)
        elif TLS_RANK[version] < TLS_RANK[minimum]:
            yield Result.failed(domain, f"EnforceHTTPS is true but TLSSecurityPolicy {policy} allows {version}", **evidence)
        else:
            yield Result.passed(domain, f"EnforceHTTPS is true with {policy}", **evidence)


def _published(domain: Domain, log_type: str) -> bool:
    option = domain.log_publishing.get(log_type)
    return bool(option and option.enabled and option.log_group_arn)


@check(
    id="aws.opensearch.audit_logging",
    title="OpenSearch domains publish audit logs",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type=RESOURCE_TYPE,
    reads=["aws.opensearch.domains"],
    remediation="Enable fine-grained access control, publish AUDIT_LOGS to a CloudWatch Logs group "
    "(LogPublishingOptions) and enable audit logging in the security plugin.",
)
def audit_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Audit logs record authentication failures, privilege use and index access by user, the
    trail that shows who read or changed data in the cluster (CC7.2, CC7.3)."""
    for domain in inv.opensearch.domains:
        if _published(domain, "AUDIT_LOGS"):
            yield Result.passed(domain, "AUDIT_LOGS published to CloudWatch Logs", log_group=domain.log_publishing["AUDIT_LOGS"].log_group_arn)
        elif not domain.advanced_security_enabled:
            yield Result.failed(domain, "AUDIT_LOGS not published (fine-grained access control, which audit logs require, is off)")
        else:
            yield Result.failed(domain, "AUDIT_LOGS not published")


@check(
    id="aws.opensearch.slow_logging",
    title="OpenSearch domains publish search and index slow logs",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type=RESOURCE_TYPE,
    reads=["aws.opensearch.domains"],
    params={"log_types": ["SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS"]},
    remediation="Publish SEARCH_SLOW_LOGS and INDEX_SLOW_LOGS to CloudWatch Logs (LogPublishingOptions) and set "
    "slow log thresholds on the indexes.",
)
def slow_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Slow logs show expensive queries and indexing, the signal for abuse (scraping, denial of
    service by query) and for capacity problems (CC7.2)."""
    wanted = names(ctx.params["log_types"])
    for domain in inv.opensearch.domains:
        missing = [log_type for log_type in wanted if not _published(domain, log_type)]
        if missing:
            yield Result.failed(domain, f"not published: {', '.join(missing)}", missing=missing)
        else:
            yield Result.passed(domain, f"published: {', '.join(wanted)}")


@check(
    id="aws.opensearch.application_logging",
    title="OpenSearch domains publish error (application) logs",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type=RESOURCE_TYPE,
    reads=["aws.opensearch.domains"],
    remediation="Publish ES_APPLICATION_LOGS to a CloudWatch Logs group (LogPublishingOptions).",
)
def application_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Error logs record cluster errors and warnings (failed shards, plugin and script errors),
    needed to detect and diagnose failures (CC7.2)."""
    for domain in inv.opensearch.domains:
        if _published(domain, "ES_APPLICATION_LOGS"):
            yield Result.passed(domain, "ES_APPLICATION_LOGS published to CloudWatch Logs")
        else:
            yield Result.failed(domain, "ES_APPLICATION_LOGS not published")


@check(
    id="aws.opensearch.zone_awareness",
    title="OpenSearch domains spread nodes across Availability Zones",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=RESOURCE_TYPE,
    reads=["aws.opensearch.domains"],
    remediation="Enable zone awareness (ClusterConfig.ZoneAwarenessEnabled, two or three AZs) with replica shards "
    "and a data node count that is a multiple of the AZ count.",
)
def zone_awareness(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With zone awareness, primary and replica shards sit in different Availability Zones, so the
    domain survives the loss of a zone (CC9.1, A1.2)."""
    for domain in inv.opensearch.domains:
        evidence = {"availability_zones": domain.availability_zone_count, "instance_count": domain.instance_count}
        if domain.zone_awareness_enabled:
            zones = domain.availability_zone_count or 2
            yield Result.passed(domain, f"ZoneAwarenessEnabled is true ({zones} Availability Zones)", **evidence)
        else:
            yield Result.failed(domain, "ZoneAwarenessEnabled is false: all nodes in one Availability Zone", **evidence)
