"""BigQuery datasets."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Dataset(Resource):
    kms_key_name: str | None = None  # defaultEncryptionConfiguration (facet "encryption")


class BigQuery(BaseModel):
    datasets: list[Dataset] = Field(default_factory=list)
