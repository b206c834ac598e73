"""Cloud DNS: DNSSEC on public zones, query logging on networks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory


@check(
    id="gcp.dns.dnssec_enabled",
    title="Public Cloud DNS zones have DNSSEC enabled",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="dns.googleapis.com/ManagedZone",
    reads=["gcp.dns.managed_zones"],
    remediation="gcloud dns managed-zones update ZONE --dnssec-state on, then add the DS record at the registrar.",
)
def dnssec_enabled(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """DNSSEC signs the zone so resolvers can detect forged answers that would send users and
    integrations to an attacker (CC6.7)."""
    for zone in inv.dns.managed_zones:
        if zone.visibility != "public":
            continue
        if zone.dnssec_state == "on":
            yield Result.passed(zone, "dnssecConfig.state is on")
        else:
            yield Result.failed(zone, f"dnssecConfig.state is {zone.dnssec_state or 'unset (off)'}")


@check(
    id="gcp.dns.dnssec_no_rsasha1",
    title="DNSSEC-signed zones do not use RSASHA1",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="dns.googleapis.com/ManagedZone",
    reads=["gcp.dns.managed_zones"],
    remediation="Turn DNSSEC off, update defaultKeySpecs to rsasha256 / ecdsap256sha256 for both key types, and turn it back on "
    "(plan the DS record change at the registrar).",
)
def dnssec_no_rsasha1(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """SHA-1 signatures are deprecated for DNSSEC; a zone signed with RSASHA1 keeps the weakness
    DNSSEC is meant to remove (CC6.7). Zones without DNSSEC are reported by dnssec_enabled."""
    for zone in inv.dns.managed_zones:
        if zone.visibility != "public" or zone.dnssec_state != "on":
            continue
        weak = sorted(kind for kind, algorithm in zone.key_algorithms.items() if algorithm.lower() == "rsasha1")
        if weak:
            yield Result.failed(zone, f"{' and '.join(weak)} key uses rsasha1", key_algorithms=zone.key_algorithms)
        else:
            yield Result.passed(zone, "key algorithms: " + ", ".join(f"{k} {a}" for k, a in sorted(zone.key_algorithms.items())),
                                key_algorithms=zone.key_algorithms)


@check(
    id="gcp.dns.network_query_logging",
    title="Every VPC network has Cloud DNS query logging through a DNS server policy",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="compute.googleapis.com/Network",
    reads=["gcp.compute.networks", "gcp.dns.policies"],
    remediation="gcloud dns policies create dns-logging --networks NETWORK --enable-logging --description 'DNS query logging'",
)
def network_query_logging(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """DNS query logs show which names workloads resolved, the trace of malware command-and-control
    and data exfiltration over DNS (CC7.2)."""
    logged = {url[url.find("projects/"):] for p in inv.dns.policies if p.enable_logging for url in p.networks}
    for network in inv.compute.networks:
        if network.id in logged:
            yield Result.passed(network, "a DNS server policy with enableLogging covers this network")
        else:
            yield Result.failed(network, "no DNS server policy with enableLogging covers this network")
