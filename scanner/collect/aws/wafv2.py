"""AWS WAF v2: web ACLs and their logging configurations. REGIONAL web ACLs in every region;
CLOUDFRONT web ACLs once, from us-east-1 (the global region), where that scope is served.
ListLoggingConfigurations is read once per scope and matched to each web ACL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector
from scanner.models.aws.wafv2 import WebAcl

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

PERMISSIONS = ["wafv2:ListWebACLs", "wafv2:ListLoggingConfigurations"]


@collector("aws.wafv2.web_acls", regional=True, permissions=PERMISSIONS)
def web_acls(scope: AwsScope) -> list[WebAcl]:
    return _web_acls(scope, "REGIONAL", scope.region)


@collector("aws.wafv2.cloudfront_web_acls", regional=False, permissions=PERMISSIONS)
def cloudfront_web_acls(scope: AwsScope) -> list[WebAcl]:
    return _web_acls(scope, "CLOUDFRONT", "global")


def _web_acls(scope: AwsScope, waf_scope: str, region: str) -> list[WebAcl]:
    listed = _all(scope, "ListWebACLs", "WebACLs", waf_scope)

    def logging() -> dict[str, dict[str, Any]]:
        configs = _all(scope, "ListLoggingConfigurations", "LoggingConfigurations", waf_scope)
        return {c["ResourceArn"]: c for c in configs if c.get("ResourceArn")}

    acls = []
    for item in listed:
        fields, errors = read_facets(scope, "wafv2", scope.region, {"logging": lambda arn=item["ARN"]: _logging(logging().get(arn))})
        acls.append(
            WebAcl(
                id=item["ARN"],
                name=item["Name"],
                region=region,
                account=scope.account,
                scope=waf_scope,
                acl_id=item["Id"],
                errors=errors,
                **fields,
            )
        )
    return acls


def _logging(config: dict[str, Any] | None) -> dict[str, Any]:
    if not config:
        return {"log_destinations": []}
    return {
        "log_destinations": sorted(config.get("LogDestinationConfigs", [])),
        "logging_managed_by_firewall_manager": bool(config.get("ManagedByFirewallManager")),
    }


def _all(scope: AwsScope, operation: str, key: str, waf_scope: str) -> list[dict[str, Any]]:
    # (WAFv2 has no paginators: NextMarker by hand; each page is memoised for the run)
    items: list[dict[str, Any]] = []
    marker = None
    while True:
        params: dict[str, Any] = {"Scope": waf_scope, "Limit": 100}
        if marker:
            params["NextMarker"] = marker
        page = scope.call("wafv2", operation, **params)
        items.extend(page.get(key, []))
        marker = page.get("NextMarker")
        if not marker or not page.get(key):
            return items
