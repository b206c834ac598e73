"""EFS facts: file systems with their encryption and automatic backup policy."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class FileSystem(Resource):
    state: str  # LifeCycleState: available, creating, deleting...
    encrypted: bool
    kms_key_id: str | None = None
    # DescribeBackupPolicy (facet "backup_policy"): ENABLED / ENABLING / DISABLED / DISABLING,
    # "DISABLED" when no policy exists; None with an entry in errors.
    backup_policy_status: str | None = None


class Efs(BaseModel):
    file_systems: list[FileSystem] = Field(default_factory=list)
