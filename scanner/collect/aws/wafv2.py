"""AWS WAF v2: web ACLs and their logging configurations. REGIONAL web ACLs in every region;
CLOUDFRONT web ACLs once, from us-east-1 (the global region), where that scope is served.
GetLoggingConfiguration per web ACL, concurrently (WAFNonexistentItemException = no logging)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import error_code, read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.wafv2 import WebAcl

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

NOT_CONFIGURED = "WAFNonexistentItemException"


@collector(
    "aws.wafv2.web_acls",
    regional=True,
    permissions=["wafv2:ListWebACLs"],
    facets={
        "logging": facet(["wafv2:GetLoggingConfiguration"], ["log_destinations", "logging_managed_by_firewall_manager"]),
    },
)
def web_acls(scope: AwsScope) -> list[WebAcl]:
    return _web_acls(scope, "REGIONAL", scope.region)


@collector(
    "aws.wafv2.cloudfront_web_acls",
    regional=False,
    permissions=["wafv2:ListWebACLs"],
    facets={
        "logging": facet(["wafv2:GetLoggingConfiguration"], ["log_destinations", "logging_managed_by_firewall_manager"]),
    },
)
def cloudfront_web_acls(scope: AwsScope) -> list[WebAcl]:
    return _web_acls(scope, "CLOUDFRONT", "global")


def _web_acls(scope: AwsScope, waf_scope: str, region: str) -> list[WebAcl]:
    listed = _list(scope, waf_scope)
    return scope.map(lambda item: _web_acl(scope, item, waf_scope, region), listed)


def _web_acl(scope: AwsScope, item: dict[str, Any], waf_scope: str, region: str) -> WebAcl:
    def logging() -> dict[str, Any]:
        try:
            config = scope.call("wafv2", "GetLoggingConfiguration", ResourceArn=item["ARN"])["LoggingConfiguration"]
        except Exception as exc:
            if error_code(exc) == NOT_CONFIGURED:
                return {"log_destinations": []}
            raise
        return {
            "log_destinations": sorted(config.get("LogDestinationConfigs", [])),
            "logging_managed_by_firewall_manager": bool(config.get("ManagedByFirewallManager")),
        }

    fields, errors = read_facets(scope, "wafv2", scope.region, {"logging": logging})
    return WebAcl(
        id=item["ARN"],
        name=item["Name"],
        region=region,
        account=scope.account,
        scope=waf_scope,
        acl_id=item["Id"],
        errors=errors,
        **fields,
    )


def _list(scope: AwsScope, waf_scope: str) -> list[dict[str, Any]]:
    # (WAFv2 has no paginators: NextMarker by hand; each page is memoised for the run)
    items: list[dict[str, Any]] = []
    marker = None
    while True:
        params: dict[str, Any] = {"Scope": waf_scope, "Limit": 100}
        if marker:
            params["NextMarker"] = marker
        page = scope.call("wafv2", "ListWebACLs", **params)
        items.extend(page.get("WebACLs", []))
        marker = page.get("NextMarker")
        if not marker or not page.get("WebACLs"):
            return items
