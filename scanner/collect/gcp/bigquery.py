"""BigQuery: datasets of each project; the list omits encryption, so each dataset is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.gcp._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.gcp.bigquery import Dataset

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector(
    "gcp.bigquery.datasets",
    regional=True,
    permissions=["bigquery.datasets.get"],
    facets={
        "encryption": facet(["bigquery.datasets.get"], ["kms_key_name"]),
    },
)
def datasets(scope: GcpScope) -> list[Dataset]:
    listed = scope.pages("bigquery", "datasets.list", "datasets", projectId=scope.project, all=True)
    return scope.map(lambda d: _dataset(scope, d), listed)


def _dataset(scope: GcpScope, d: dict) -> Dataset:
    dataset_id = d["datasetReference"]["datasetId"]

    def encryption() -> dict:
        full = scope.call("bigquery", "datasets.get", projectId=scope.project, datasetId=dataset_id)
        return {"kms_key_name": (full.get("defaultEncryptionConfiguration") or {}).get("kmsKeyName")}

    fields, errors = read_facets(scope, {"encryption": encryption})
    return Dataset(
        id=f"projects/{scope.project}/datasets/{dataset_id}",
        name=dataset_id,
        region=str(d.get("location", "global")).lower(),
        account=scope.account,
        errors=errors,
        **fields,
    )
