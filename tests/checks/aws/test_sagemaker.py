"""SageMaker checks through moto's server: notebook instance KMS encryption, and a denied
DescribeNotebookInstance (moto enforces IAM for SageMaker with genuine AccessDenied)."""

from __future__ import annotations

from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-notebooks"


def _notebook(aws, name: str, **settings) -> None:
    aws.client("sagemaker").create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE, **settings)


def test_notebook_kms_encrypted(aws):
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/6a2c1c1e-0000-4000-8000-000000000001"
    _notebook(aws, "pass-kms", KmsKeyId=key, DirectInternetAccess="Disabled", SubnetId="subnet-0a1b2c3d", SecurityGroupIds=["sg-0a1b2c3d"])
    _notebook(aws, "fail-default-key")
    report = aws.scan("aws.sagemaker.notebook_kms_encrypted")
    assert verdicts(report, "aws.sagemaker.notebook_kms_encrypted") == {("pass-kms", "PASS"), ("fail-default-key", "FAIL")}
    assert finding(report, "aws.sagemaker.notebook_kms_encrypted", "pass-kms").evidence == {
        "kms_key_id": key,
        "direct_internet_access": "Disabled",
    }


def test_denied_describe_is_error_per_notebook(aws, denied_session):
    _notebook(aws, "guarded")
    report = aws.scan("aws.sagemaker.notebook_kms_encrypted", session=denied_session("sagemaker:DescribeNotebookInstance"))
    assert verdicts(report, "aws.sagemaker.notebook_kms_encrypted") == {("guarded", "ERROR")}
    assert "access denied to sagemaker:DescribeNotebookInstance" in (
        finding(report, "aws.sagemaker.notebook_kms_encrypted", "guarded").message
    )
