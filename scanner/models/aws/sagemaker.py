"""SageMaker facts: notebook instances."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class NotebookInstance(Resource):
    status: str | None = None
    # facet "details" (DescribeNotebookInstance)
    kms_key_id: str | None = None  # key encrypting the ML storage volume; None = AWS-managed key
    direct_internet_access: str | None = None  # Enabled | Disabled
    root_access: str | None = None
    subnet_id: str | None = None


class SageMaker(BaseModel):
    notebook_instances: list[NotebookInstance] = Field(default_factory=list)
