"""AWS WAF (v2) facts: web ACLs of REGIONAL scope (per region) and CLOUDFRONT scope (global)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class WebAcl(Resource):
    scope: str  # REGIONAL | CLOUDFRONT
    acl_id: str
    # facet "logging" (GetLoggingConfiguration): where the web ACL's traffic logs go; [] = not logged
    log_destinations: list[str] = Field(default_factory=list)
    logging_managed_by_firewall_manager: bool = False


class Wafv2(BaseModel):
    web_acls: list[WebAcl] = Field(default_factory=list)  # REGIONAL, collected in every region
    cloudfront_web_acls: list[WebAcl] = Field(default_factory=list)  # CLOUDFRONT, global (us-east-1)
