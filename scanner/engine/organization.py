"""The provider side of a scan: an organization collection, its scopes and its members.

A provider's `open_collection(pool, **options)` returns an `OrganizationCollection`. The engine asks it
for every scope of the selection (`discover`), fixes the plan and the shard's part of it before
anything is collected, then asks for one member per scope (`member`) and runs that member's units
(collector x region / subscription / project) on the run's pool. A scope is the unit of work, of
failure, of sharding and of evaluation: see docs/organization.md.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from scanner.engine.collect import ProviderCollection
from scanner.models.inventory import Identity, ScopeRef

__all__ = ["OrganizationCollection", "ProviderCollection", "ScopeRef", "SingleScopeOrganization", "is_organization"]


@runtime_checkable
class OrganizationCollection(Protocol):
    """What `providers.<p>.open_collection(pool, **options)` returns.

    Attributes:
        provider: "aws", "azure" or "gcp".
        identity: the caller (Identity.account: its account / tenant / organization id; principal).
        organization: the organization scope's id (AWS Organizations id, Entra tenant id, GCP
            organization id), or None when the selection has no organization.
    """

    provider: str
    identity: Identity
    organization: str | None

    def discover(self) -> list[ScopeRef]:
        """Every scope of the selection, deterministic and sorted by id, before anything is collected.

        AWS: the caller's account, `--accounts`, or the ACTIVE accounts of the organization / `--ous`
        (each ScopeRef with its regions). Azure: `--subscriptions`, every readable enabled
        subscription, or the enabled subscriptions under `--management-group`. GCP: the projects under
        `--organization` / `--folder`, or `--projects`. Plus one ScopeRef of kind "organization" where
        organization-level collectors exist (Entra tenant, GCP organization, AWS Organizations). The
        engine drops the organization scope from the plan when no selected check reads it.

        Raises ConfigurationError (one line, exit 2) for a selection that cannot be resolved: an
        unknown OU / management group / folder, no readable scope at all.
        """
        ...

    def member(self, scope: ScopeRef) -> ProviderCollection:
        """The per-scope collection (scanner.engine.collect.ProviderCollection) bound to one scope.

        Must not raise for a scope it cannot enter: a member whose credentials cannot be obtained
        (a role that cannot be assumed, a subscription that refuses the token) answers every unit
        with a failure from `classify` whose reason names the scope (and the role), so that scope is
        ERROR and every other scope proceeds. The member's `identity.account` is the scope's id.
        An optional `close()` on the member releases its clients once its units are done.
        """
        ...

    def plan_options(self) -> dict[str, Any]:
        """What must be identical in every shard of one scan (role name, external-id presence,
        flags): JSON-able, no secret values. Hashed into the plan digest; scopes and their regions
        are hashed separately, from `discover()`."""
        ...

    def api_calls(self) -> dict[str, int]:
        """Requests made so far by the whole run, per "service:operation" (members included)."""
        ...


def is_organization(collection: Any) -> bool:
    return all(hasattr(collection, name) for name in ("discover", "member", "plan_options"))


class SingleScopeOrganization:
    """An organization of one scope around a member collection: today's single-account AWS scan
    (the caller's own account), and any caller that hands the engine one scope's collection."""

    def __init__(self, member: ProviderCollection, kind: str = "account", organization: str | None = None) -> None:
        self._member = member
        self.provider = member.provider
        self.identity = member.identity
        self.organization = organization
        self.kind = kind

    def discover(self) -> list[ScopeRef]:
        regions = tuple(self._member.regions) if self._member.scope_field == "region" else ()
        return [ScopeRef(provider=self.provider, kind=self.kind, id=self.identity.account, regions=regions)]  # type: ignore[arg-type]

    def member(self, scope: ScopeRef) -> ProviderCollection:
        return self._member

    def plan_options(self) -> dict[str, Any]:
        return {}

    def api_calls(self) -> dict[str, int]:
        return self._member.api_calls()
