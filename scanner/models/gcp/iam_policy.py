"""IAM policies as GCP returns them (project, organization, bucket, key): bindings and audit configs."""

from __future__ import annotations

from pydantic import Field

from scanner.models.common import Frozen

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")


class Binding(Frozen):
    role: str
    members: list[str] = Field(default_factory=list)
    condition: str | None = None  # the condition's expression, when the binding is conditional


class AuditLogConfig(Frozen):
    log_type: str  # ADMIN_READ, DATA_READ, DATA_WRITE
    exempted_members: list[str] = Field(default_factory=list)


class AuditConfig(Frozen):
    service: str  # "allServices" or "storage.googleapis.com"
    audit_log_configs: list[AuditLogConfig] = Field(default_factory=list)


class IamPolicy(Frozen):
    bindings: list[Binding] = Field(default_factory=list)
    audit_configs: list[AuditConfig] = Field(default_factory=list)

    def members_with(self, role: str) -> set[str]:
        return {m for b in self.bindings if b.role == role for m in b.members}

    def roles_of(self, member: str) -> set[str]:
        return {b.role for b in self.bindings if member in b.members}

    @property
    def public_bindings(self) -> list[tuple[str, str]]:
        return sorted((b.role, m) for b in self.bindings for m in b.members if m in PUBLIC_MEMBERS)

    @classmethod
    def from_api(cls, data: dict | None) -> IamPolicy:
        data = data or {}
        return cls(
            bindings=[
                Binding(role=b["role"], members=sorted(b.get("members") or []), condition=(b.get("condition") or {}).get("expression"))
                for b in data.get("bindings") or []
            ],
            audit_configs=[
                AuditConfig(
                    service=a.get("service", ""),
                    audit_log_configs=[
                        AuditLogConfig(log_type=str(c.get("logType", "")), exempted_members=sorted(c.get("exemptedMembers") or []))
                        for c in a.get("auditLogConfigs") or []
                    ],
                )
                for a in data.get("auditConfigs") or []
            ],
        )
