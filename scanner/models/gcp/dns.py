"""Cloud DNS managed zones and server policies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class ManagedZone(Resource):
    dns_name: str
    visibility: str  # public / private
    dnssec_state: str | None = None  # on / off / transfer
    key_algorithms: dict[str, str] = Field(default_factory=dict)  # keySigning / zoneSigning -> algorithm


class DnsPolicy(Resource):
    enable_logging: bool = False
    networks: list[str] = Field(default_factory=list)  # network selfLinks


class Dns(BaseModel):
    managed_zones: list[ManagedZone] = Field(default_factory=list)
    policies: list[DnsPolicy] = Field(default_factory=list)
