"""OpenSearch Service (regional): ListDomainNames once, DescribeDomains in batches of five
(concurrently). Covers OpenSearch and legacy Elasticsearch engine domains."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.registry import collector
from scanner.models.aws.opensearch import Domain, LogPublishing

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

BATCH = 5  # DescribeDomains accepts at most five names


@collector("aws.opensearch.domains", regional=True, permissions=["es:ListDomainNames", "es:DescribeDomains"])
def domains(scope: AwsScope) -> list[Domain]:
    names = sorted(d["DomainName"] for d in scope.call("opensearch", "ListDomainNames").get("DomainNames", []))
    batches = [names[i : i + BATCH] for i in range(0, len(names), BATCH)]
    described = scope.map(
        lambda batch: scope.call("opensearch", "DescribeDomains", DomainNames=batch).get("DomainStatusList", []), batches
    )
    return [_domain(scope, status) for batch in described for status in batch if not status.get("Deleted")]


def _domain(scope: AwsScope, status: dict[str, Any]) -> Domain:
    at_rest = status.get("EncryptionAtRestOptions") or {}
    endpoint = status.get("DomainEndpointOptions") or {}
    cluster = status.get("ClusterConfig") or {}
    return Domain(
        id=status["ARN"],
        name=status["DomainName"],
        region=scope.region,
        account=scope.account,
        engine_version=status.get("EngineVersion"),
        encryption_at_rest=bool(at_rest.get("Enabled")),
        kms_key_id=at_rest.get("KmsKeyId"),
        node_to_node_encryption=bool((status.get("NodeToNodeEncryptionOptions") or {}).get("Enabled")),
        enforce_https=bool(endpoint.get("EnforceHTTPS")),
        tls_security_policy=endpoint.get("TLSSecurityPolicy"),
        log_publishing={
            log_type: LogPublishing(enabled=bool(option.get("Enabled")), log_group_arn=option.get("CloudWatchLogsLogGroupArn"))
            for log_type, option in sorted((status.get("LogPublishingOptions") or {}).items())
        },
        advanced_security_enabled=bool((status.get("AdvancedSecurityOptions") or {}).get("Enabled")),
        zone_awareness_enabled=bool(cluster.get("ZoneAwarenessEnabled")),
        availability_zone_count=(cluster.get("ZoneAwarenessConfig") or {}).get("AvailabilityZoneCount"),
        instance_count=cluster.get("InstanceCount"),
        vpc=bool(status.get("VPCOptions")),
    )
