"""Cloud DNS: managed zones (DNSSEC) and server policies (query logging)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.gcp.dns import DnsPolicy, ManagedZone

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector("gcp.dns.managed_zones", regional=True, permissions=["dns.managedZones.list"])
def managed_zones(scope: GcpScope) -> list[ManagedZone]:
    found = scope.pages("dns", "managedZones.list", "managedZones", project=scope.project)
    result = []
    for z in found:
        dnssec = z.get("dnssecConfig") or {}
        result.append(
            ManagedZone(
                id=f"projects/{scope.project}/managedZones/{z['name']}",
                name=z["name"],
                region="global",
                account=scope.account,
                dns_name=z.get("dnsName", ""),
                visibility=z.get("visibility", "public"),
                dnssec_state=dnssec.get("state"),
                key_algorithms={s.get("keyType", ""): s.get("algorithm", "") for s in dnssec.get("defaultKeySpecs") or []},
            )
        )
    return result


@collector("gcp.dns.policies", regional=True, permissions=["dns.policies.list"])
def policies(scope: GcpScope) -> list[DnsPolicy]:
    found = scope.pages("dns", "policies.list", "policies", project=scope.project)
    return [
        DnsPolicy(
            id=f"projects/{scope.project}/policies/{p['name']}",
            name=p["name"],
            region="global",
            account=scope.account,
            enable_logging=bool(p.get("enableLogging", False)),
            networks=sorted(n.get("networkUrl", "") for n in p.get("networks") or []),
        )
        for p in found
    ]
