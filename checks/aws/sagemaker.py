"""SageMaker: notebook instance storage encrypted with a KMS key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.sagemaker.notebook_kms_encrypted",
    title="SageMaker notebook instances encrypt their storage with a KMS key",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::SageMaker::NotebookInstance",
    reads=["aws.sagemaker.notebook_instances:details"],
    remediation="Recreate the notebook instance with KmsKeyId set to a customer-managed key (the key cannot be "
    "added to an existing instance); keep notebooks and data in a repository or S3 meanwhile.",
)
def notebook_kms_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Notebook volumes hold data scientists' copies of training data and credentials; a KMS key
    puts them under a key policy with auditable use (CC6.1, C1.1)."""
    for notebook in inv.sagemaker.notebook_instances:
        evidence = {"kms_key_id": notebook.kms_key_id, "direct_internet_access": notebook.direct_internet_access}
        if notebook.kms_key_id:
            yield Result.passed(notebook, f"KmsKeyId is {notebook.kms_key_id}", **evidence)
        else:
            yield Result.failed(notebook, "no KmsKeyId: the ML storage volume uses an AWS-managed key, outside any key policy you control", **evidence)
