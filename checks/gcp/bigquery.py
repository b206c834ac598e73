"""BigQuery: dataset default encryption."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory


@check(
    id="gcp.bigquery.dataset_cmek",
    title="BigQuery datasets encrypt new tables with a customer-managed key by default",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="bigquery.googleapis.com/Dataset",
    reads=["gcp.bigquery.datasets:encryption"],
    params={"require_cmek": True},
    remediation="bq update --default_kms_key projects/P/locations/L/keyRings/R/cryptoKeys/K PROJECT:DATASET "
    "(existing tables keep their key: copy them to re-encrypt).",
)
def dataset_cmek(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Analytics datasets concentrate confidential data; a default customer-managed key gives
    key-use logs and revocation over it (C1.1, CC6.1)."""
    for dataset in inv.bigquery.datasets:
        if dataset.kms_key_name:
            yield Result.passed(dataset, f"defaultEncryptionConfiguration.kmsKeyName is {dataset.kms_key_name}")
        elif ctx.params["require_cmek"]:
            yield Result.failed(dataset, "no defaultEncryptionConfiguration: Google-managed keys")
        else:
            yield Result.passed(dataset, "Google-managed keys (require_cmek is false)")
