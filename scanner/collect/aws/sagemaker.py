"""SageMaker (regional): ListNotebookInstances once, DescribeNotebookInstance per instance (concurrently)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.sagemaker import NotebookInstance

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.sagemaker.notebook_instances",
    regional=True,
    permissions=["sagemaker:ListNotebookInstances"],
    facets={
        "details": facet(["sagemaker:DescribeNotebookInstance"], ["kms_key_id", "direct_internet_access", "root_access", "subnet_id"]),
    },
)
def notebook_instances(scope: AwsScope) -> list[NotebookInstance]:
    listed = scope.pages("sagemaker", "ListNotebookInstances", "NotebookInstances")
    return scope.map(lambda n: _notebook(scope, n), listed)


def _notebook(scope: AwsScope, summary: dict[str, Any]) -> NotebookInstance:
    name = summary["NotebookInstanceName"]

    def describe() -> dict[str, Any]:
        detail = scope.call("sagemaker", "DescribeNotebookInstance", NotebookInstanceName=name)
        return {
            "kms_key_id": detail.get("KmsKeyId") or None,
            "direct_internet_access": detail.get("DirectInternetAccess"),
            "root_access": detail.get("RootAccess"),
            "subnet_id": detail.get("SubnetId"),
        }

    fields, errors = read_facets(scope, "sagemaker", scope.region, {"details": describe})
    return NotebookInstance(
        id=summary["NotebookInstanceArn"],
        name=name,
        region=scope.region,
        account=scope.account,
        status=summary.get("NotebookInstanceStatus"),
        errors=errors,
        **fields,
    )
