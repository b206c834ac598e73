"""Azure checks on Terraform: key vaults (diagnostic settings, keys, secrets), SQL servers with their
separate auditing / alert / TDE resources and databases, managed disks, network security groups
(inline and separate rules, default rules, associations), flow logs, Log Analytics; provider
defaults and values not known before apply."""

from __future__ import annotations

import pytest

from tests.terraform.conftest import FIXTURES, tf_scan, tf_verdicts
from tests.terraform.test_locations import assert_locations_inside_blocks

AZURE = FIXTURES / "azure"


@pytest.fixture(scope="module")
def report():
    return tf_scan(AZURE, params={"azure.compute.disk_encryption": {"require_cmk": True}})


def _only(report, check_id, prefix):
    return {v for v in tf_verdicts(report, check_id) if v[0].startswith(prefix)}


def test_key_vaults(report):
    assert tf_verdicts(report, "azure.keyvault.soft_delete_purge_protection") == {
        ("azurerm_key_vault.pass_vault", "PASS"),
        ("azurerm_key_vault.fail_vault", "FAIL"),
    }
    # audit logs through a diagnostic setting that targets the vault; metrics alone are not audit logs
    assert tf_verdicts(report, "azure.keyvault.diagnostic_logging") == {
        ("azurerm_key_vault.pass_vault", "PASS"),
        ("azurerm_key_vault.fail_vault", "FAIL"),
    }


def test_keys_and_secrets_expire(report):
    assert tf_verdicts(report, "azure.keyvault.key_expiry") == {
        ("azurerm_key_vault_key.pass_key", "PASS"),
        ("azurerm_key_vault_key.tde", "PASS"),
        ("azurerm_key_vault_key.disks", "PASS"),
        ("azurerm_key_vault_key.fail_key", "FAIL"),
        ("azurerm_key_vault_key.unknown_key", "UNKNOWN"),  # var.key_expiry has no value
    }
    assert tf_verdicts(report, "azure.keyvault.secret_expiry") == {
        ("azurerm_key_vault_secret.pass_secret", "PASS"),
        ("azurerm_key_vault_secret.fail_secret", "FAIL"),
        ("azurerm_key_vault_secret.unknown_secret", "UNKNOWN"),  # timeadd(timestamp(), ...) is known at apply
    }
    # a notify-only rotation policy does not rotate the key
    assert _only(report, "azure.keyvault.key_rotation", "azurerm_key_vault_key.pass") | _only(
        report, "azure.keyvault.key_rotation", "azurerm_key_vault_key.fail"
    ) == {("azurerm_key_vault_key.pass_key", "PASS"), ("azurerm_key_vault_key.fail_key", "FAIL")}


def test_unknown_expiry_names_the_attribute_and_the_reason(report):
    finding = next(f for f in report.findings if f.check_id == "azure.keyvault.secret_expiry" and "unknown_secret" in f.location.address)
    assert "azurerm_key_vault_secret.unknown_secret.expiration_date" in finding.message
    assert "timestamp" in finding.message or "apply" in finding.message
    assert finding.location.file == "keyvault.tf"


def test_secret_values_never_reach_the_report(report):
    text = report.model_dump_json()
    assert "not-a-real-secret" not in text and "rotated-by-pipeline" not in text


def test_sql_servers_and_their_separate_resources(report):
    for check_id in (
        "azure.sql.min_tls_1_2",
        "azure.sql.auditing_enabled",
        "azure.sql.threat_detection_enabled",
        "azure.sql.tde_protector_cmk",
    ):
        assert tf_verdicts(report, check_id) == {
            ("azurerm_mssql_server.pass_server", "PASS"),
            ("azurerm_mssql_server.fail_server", "FAIL"),
        }, check_id
    for check_id in ("azure.sql.tde_enabled", "azure.sql.database_ltr", "azure.sql.database_geo_backup"):
        assert tf_verdicts(report, check_id) == {
            ("azurerm_mssql_database.pass_db", "PASS"),
            ("azurerm_mssql_database.fail_db", "FAIL"),
        }, check_id


def test_sql_findings_point_at_the_resource_that_decides(report):
    def where(check_id, address):
        finding = next(f for f in report.findings if f.check_id == check_id and f.location and f.location.address.startswith(address))
        return finding.location.address, finding.location.start_line

    # decided by the separate policy resources, not by the server block
    assert where("azure.sql.auditing_enabled", "azurerm_mssql_server_extended_auditing_policy.fail")[0] == (
        "azurerm_mssql_server_extended_auditing_policy.fail_server"
    )
    assert where("azure.sql.threat_detection_enabled", "azurerm_mssql_server_security_alert_policy.fail")[0] == (
        "azurerm_mssql_server_security_alert_policy.fail_server"
    )


def test_provider_defaults_are_named_in_the_evidence(report):
    server = next(f for f in report.findings if f.check_id == "azure.sql.tde_protector_cmk" and f.status.value == "FAIL")
    assert "tde_protector_type" in server.evidence["provider_defaults"]
    db = next(f for f in report.findings if f.check_id == "azure.sql.database_geo_backup" and f.status.value == "PASS")
    assert "geo-redundantly" in db.evidence["provider_defaults"]["backup_storage_redundancy"]


def test_managed_disks(report):
    assert tf_verdicts(report, "azure.compute.disk_encryption") == {
        ("azurerm_managed_disk.pass_disk", "PASS"),  # a disk encryption set: customer-managed key
        ("azurerm_managed_disk.fail_disk", "FAIL"),
        ("azurerm_managed_disk.attached", "FAIL"),
    }
    assert tf_verdicts(report, "azure.compute.unattached_disk_cmk") == {
        ("azurerm_managed_disk.pass_disk", "PASS"),
        ("azurerm_managed_disk.fail_disk", "FAIL"),  # the attached disk is not judged
    }


def test_network_security_groups(report):
    for check_id in ("azure.network.nsg_ssh_restricted", "azure.network.nsg_rdp_restricted", "azure.network.nsg_all_ports_restricted"):
        assert tf_verdicts(report, check_id) == {
            ("azurerm_network_security_group.pass_nsg", "PASS"),  # DenyAllInBound (a default rule) closes the rest
            ("azurerm_network_security_group.fail_nsg", "FAIL"),  # separate azurerm_network_security_rule resources
            ("azurerm_network_security_group.unknown_nsg", "UNKNOWN"),  # var.admin_cidr has no value
        }, check_id
    ssh = next(f for f in report.findings if f.check_id == "azure.network.nsg_ssh_restricted" and f.status.value == "FAIL")
    assert ssh.location.address == "azurerm_network_security_group.fail_nsg"
    assert ssh.evidence["rule"] == "ssh-from-anywhere"


def test_flow_logs(report):
    # a VNet flow log on the subnet the NSG is attached to covers it; one on the NSG itself too
    assert tf_verdicts(report, "azure.network.nsg_flow_logs_enabled") == {
        ("azurerm_network_security_group.pass_nsg", "PASS"),
        ("azurerm_network_security_group.fail_nsg", "FAIL"),
        ("azurerm_network_security_group.unknown_nsg", "PASS"),
    }
    assert tf_verdicts(report, "azure.network.flow_log_retention") == {
        ("azurerm_network_watcher_flow_log.pass_flow_log", "PASS"),
        ("azurerm_network_watcher_flow_log.fail_flow_log", "FAIL"),
    }


def test_log_analytics_retention(report):
    assert tf_verdicts(report, "azure.loganalytics.workspace_retention") == {
        ("azurerm_log_analytics_workspace.pass_workspace", "PASS"),
        ("azurerm_log_analytics_workspace.fail_workspace", "FAIL"),  # 30 days by default
    }


def test_what_terraform_cannot_express_is_not_applicable(report):
    retention = [f for f in report.findings if f.check_id == "azure.sql.audit_retention"]
    assert {f.status.value for f in retention} == {"NOT_APPLICABLE"}
    assert "master database" in retention[0].message


def test_locations_lie_inside_the_blocks(report):
    assert_locations_inside_blocks(report, minimum=60)
