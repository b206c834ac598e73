"""Cloud Identity / Google Workspace users and their 2-step verification state (Admin SDK Directory)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class DirectoryUser(Resource):
    primary_email: str
    is_admin: bool = False
    suspended: bool = False
    is_enrolled_in_2sv: bool = False
    is_enforced_in_2sv: bool = False


class DirectoryAccess(Resource):
    """Whether the directory could be read at all. The Admin SDK needs a Workspace / Cloud Identity
    admin (or domain-wide delegation); a scanner principal often has neither, and then the 2SV
    question is UNKNOWN with the reason, not an error of the scan."""

    readable: bool
    reason: str | None = None


class Directory(BaseModel):
    access: DirectoryAccess | None = None
    users: list[DirectoryUser] = Field(default_factory=list)
