"""EFS (regional): file systems, with the automatic backup policy read per file system concurrently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import error_code, read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.efs import FileSystem

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.efs.file_systems",
    regional=True,
    permissions=["elasticfilesystem:DescribeFileSystems"],
    facets={
        "backup_policy": facet(["elasticfilesystem:DescribeBackupPolicy"], ["backup_policy_status"]),
    },
)
def file_systems(scope: AwsScope) -> list[FileSystem]:
    listed = scope.pages("efs", "DescribeFileSystems", "FileSystems")
    return scope.map(lambda fs: _file_system(scope, fs), listed)


def _file_system(scope: AwsScope, fs: dict[str, Any]) -> FileSystem:
    fs_id = fs["FileSystemId"]

    def backup_policy() -> dict[str, Any]:
        try:
            policy = scope.call("efs", "DescribeBackupPolicy", FileSystemId=fs_id).get("BackupPolicy") or {}
        except Exception as exc:
            if error_code(exc) == "PolicyNotFound":  # never configured: automatic backups are off
                return {"backup_policy_status": "DISABLED"}
            raise
        return {"backup_policy_status": policy.get("Status", "DISABLED")}

    fields, errors = read_facets(scope, "efs", scope.region, {"backup_policy": backup_policy})
    return FileSystem(
        id=fs.get("FileSystemArn") or scope.arn("elasticfilesystem", f"file-system/{fs_id}"),
        name=fs.get("Name") or fs_id,
        region=scope.region,
        account=scope.account,
        state=fs.get("LifeCycleState", "unknown"),
        encrypted=bool(fs.get("Encrypted")),
        kms_key_id=fs.get("KmsKeyId"),
        errors=errors,
        **fields,
    )
