"""Storage account checks on the demo tenant (two subscriptions, four accounts, paged lists)."""

from __future__ import annotations

from scanner.models.common import Status
from tests.azure_fixtures import DEV, PROD, rg
from tests.conftest import finding, verdicts


def test_transport_and_encryption_settings(azure):
    report = azure.scan(
        "azure.storage.secure_transfer_required",
        "azure.storage.min_tls_1_2",
        "azure.storage.infrastructure_encryption",
        "azure.storage.cmk_encryption",
        "azure.storage.no_public_blob_access",
        "azure.storage.shared_key_disabled",
    )
    assert verdicts(report, "azure.storage.secure_transfer_required") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "PASS"), ("stcontosodevaudit", "PASS"), ("stcontosodevlegacy", "FAIL"),
    }
    assert verdicts(report, "azure.storage.min_tls_1_2") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "PASS"), ("stcontosodevaudit", "PASS"), ("stcontosodevlegacy", "FAIL"),
    }
    assert verdicts(report, "azure.storage.infrastructure_encryption") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevaudit", "FAIL"), ("stcontosodevlegacy", "FAIL"),
    }
    assert verdicts(report, "azure.storage.cmk_encryption") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevaudit", "PASS"), ("stcontosodevlegacy", "FAIL"),
    }
    assert verdicts(report, "azure.storage.no_public_blob_access") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevaudit", "PASS"), ("stcontosodevlegacy", "FAIL"),
    }
    # allowBlobPublicAccess absent from the response (an account created on an old API version) is not "false".
    assert "not set" in finding(report, "azure.storage.no_public_blob_access", "stcontosodevlegacy").message
    assert verdicts(report, "azure.storage.shared_key_disabled") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevaudit", "FAIL"), ("stcontosodevlegacy", "FAIL"),
    }
    # stcontosologs sets allowSharedKeyAccess false but re-enables it for blob in allowSharedKeyAccessForServices.
    logs = finding(report, "azure.storage.shared_key_disabled", "stcontosologs")
    assert logs.message == "allowSharedKeyAccessForServices enables shared key access for blob"
    assert logs.evidence == {"allow_shared_key_access": False, "by_service": {"blob": True, "file": False}}
    assert finding(report, "azure.storage.min_tls_1_2", "stcontosodevlegacy").account == DEV
    assert finding(report, "azure.storage.min_tls_1_2", "stcontosoprod").region == "westeurope"


def test_parameters(azure):
    report = azure.scan(
        "azure.storage.cmk_encryption",
        "azure.storage.shared_key_disabled",
        params={"azure.storage.cmk_encryption": {"require_cmk": False}, "azure.storage.shared_key_disabled": {"exempt_accounts": ["stcontosodevaudit"]}},
    )
    assert {s for _, s in verdicts(report, "azure.storage.cmk_encryption")} == {"PASS"}
    assert verdicts(report, "azure.storage.shared_key_disabled") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevaudit", "PASS"), ("stcontosodevlegacy", "FAIL"),
    }


def test_data_protection(azure):
    checks = (
        "azure.storage.blob_soft_delete",
        "azure.storage.container_soft_delete",
        "azure.storage.blob_versioning",
        "azure.storage.file_share_soft_delete",
        "azure.storage.geo_redundant_critical",
    )
    report = azure.scan(*checks)
    assert verdicts(report, "azure.storage.blob_soft_delete") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevaudit", "PASS"), ("stcontosodevlegacy", "FAIL"),
    }
    assert verdicts(report, "azure.storage.container_soft_delete") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevaudit", "PASS"), ("stcontosodevlegacy", "FAIL"),
    }
    assert verdicts(report, "azure.storage.blob_versioning") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevaudit", "FAIL"), ("stcontosodevlegacy", "FAIL"),
    }
    assert verdicts(report, "azure.storage.file_share_soft_delete") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "PASS"), ("stcontosodevaudit", "PASS"), ("stcontosodevlegacy", "FAIL"),
    }
    # Only accounts tagged critical=true are in scope.
    assert verdicts(report, "azure.storage.geo_redundant_critical") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "FAIL"), ("stcontosodevlegacy", "PASS"),
    }
    stricter = azure.scan("azure.storage.blob_soft_delete", params={"azure.storage.blob_soft_delete": {"min_days": 10}})
    assert finding(stricter, "azure.storage.blob_soft_delete", "stcontosodevaudit").message == (
        "blob soft delete (deleteRetentionPolicy) keeps 7 days, fewer than 10"
    )


def test_denied_blob_service_is_error_for_its_checks_only(azure):
    blob = f"{rg(PROD, 'rg-contoso-prod')}/providers/Microsoft.Storage/storageAccounts/stcontosoprod/blobServices/default"
    azure.error(blob, "denied", action="Microsoft.Storage/storageAccounts/blobServices/read")
    report = azure.scan("azure.storage.blob_versioning", "azure.storage.min_tls_1_2")
    versioning = finding(report, "azure.storage.blob_versioning", "stcontosoprod")
    assert versioning.status == Status.ERROR
    assert "access denied to storage:blobServices.getServiceProperties" in versioning.message
    assert finding(report, "azure.storage.min_tls_1_2", "stcontosoprod").status == Status.PASS


def test_denied_subscription_is_error_while_the_other_proceeds(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.Storage/storageAccounts", "denied", action="Microsoft.Storage/storageAccounts/read")
    report = azure.scan("azure.storage.secure_transfer_required")
    assert verdicts(report, "azure.storage.secure_transfer_required") == {
        ("stcontosoprod", "PASS"), ("stcontosologs", "PASS"), (f"azure {DEV}", "ERROR"),
    }
    error = finding(report, "azure.storage.secure_transfer_required", f"azure {DEV}")
    assert error.account == DEV
    assert error.message.startswith(f"access denied to storage:storageAccounts.list in subscription {DEV} (AuthorizationFailed)")
    assert [(e.key, e.scope, e.error_code) for e in report.collection_errors] == [("azure.storage.accounts", DEV, "AuthorizationFailed")]


def test_accounts_are_paged_with_next_link(azure):
    extra = {"value": [
        {"id": f"{rg(PROD, 'rg-x')}/providers/Microsoft.Storage/storageAccounts/st{i}", "name": f"st{i}", "type": "Microsoft.Storage/storageAccounts",
         "kind": "BlobStorage" if i % 2 else "FileStorage", "location": "westeurope", "sku": {"name": "Standard_ZRS", "tier": "Standard"}, "tags": {},
         "properties": {"supportsHttpsTrafficOnly": True, "encryption": {"keySource": "Microsoft.Storage"}, "minimumTlsVersion": "TLS1_2"}}
        for i in range(5)
    ]}
    azure.body(f"/subscriptions/{PROD}/providers/Microsoft.Storage/storageAccounts", extra)
    report = azure.scan("azure.storage.secure_transfer_required", subscriptions=(PROD,))
    assert verdicts(report, "azure.storage.secure_transfer_required") == {(f"st{i}", "PASS") for i in range(5)}
    assert azure.calls(f"/subscriptions/{PROD}/providers/Microsoft.Storage/storageAccounts") == 3  # 5 items, 2 a page


def test_shared_key_disabled_service_by_service(azure):
    """An account that allows shared keys but disables them for every one of its services passes; one
    service left to the account's setting fails."""
    listed = next(r.body for r in azure.cloud.routes if r.path == f"/subscriptions/{DEV}/providers/Microsoft.Storage/storageAccounts")
    audit = next(a for a in listed["value"] if a["name"] == "stcontosodevaudit")
    every = {s: {"enabled": False} for s in ("blob", "file", "queue", "table")}
    azure.body(f"/subscriptions/{DEV}/providers/Microsoft.Storage/storageAccounts",
               {"value": [{**audit, "properties": {**audit["properties"], "allowSharedKeyAccess": True, "allowSharedKeyAccessForServices": every}}]})
    report = azure.scan("azure.storage.shared_key_disabled", subscriptions=(DEV,))
    assert verdicts(report, "azure.storage.shared_key_disabled") == {("stcontosodevaudit", "PASS")}
    del every["table"]
    azure.body(f"/subscriptions/{DEV}/providers/Microsoft.Storage/storageAccounts",
               {"value": [{**audit, "properties": {**audit["properties"], "allowSharedKeyAccess": True, "allowSharedKeyAccessForServices": every}}]})
    report = azure.scan("azure.storage.shared_key_disabled", subscriptions=(DEV,))
    assert verdicts(report, "azure.storage.shared_key_disabled") == {("stcontosodevaudit", "FAIL")}
    assert finding(report, "azure.storage.shared_key_disabled", "stcontosodevaudit").message == "allowSharedKeyAccess is true"
