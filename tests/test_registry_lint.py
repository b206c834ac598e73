"""Lint over the registries: ids, collectors, mappings, permissions, and PASS/FAIL tests per check."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from scanner.collect.registry import load_collectors
from scanner.mapping import available_frameworks, load_framework, validate
from scanner.models.common import Category
from scanner.registry import CHECK_ID, load_checks

TESTS = Path(__file__).parent
# AWS "service:Action"; GCP IAM permissions "service.resource.verb" (storage.buckets.getIamPolicy).
PERMISSION = re.compile(r"^(?:[a-z0-9-]+:[A-Z][A-Za-z0-9]+|[a-z][a-z0-9]*\.[a-z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*)$")
# Azure: ARM actions (Microsoft.Storage/storageAccounts/read) and Microsoft Graph permissions (graph:Policy.Read.All).
AZURE_PERMISSION = re.compile(r"^(?:Microsoft\.[A-Za-z]+(?:/[A-Za-z]+)+/(?:read|action)|graph:[A-Z][A-Za-z]+(?:\.[A-Z][A-Za-z]+)+)$")


def test_check_ids_are_well_formed_and_metadata_complete():
    checks = load_checks()
    assert checks
    aliases = [alias for spec in checks.values() for alias in spec.aliases]
    assert len(aliases) == len(set(aliases)) and not set(aliases) & set(checks)
    for spec in checks.values():
        assert CHECK_ID.match(spec.id), spec.id
        assert spec.title and spec.rationale and spec.remediation, spec.id
        assert isinstance(spec.category, Category)
        assert spec.resource_type, spec.id


def test_every_read_has_a_collector_and_valid_permissions():
    checks = load_checks()
    for provider in {spec.provider for spec in checks.values()}:
        collectors = load_collectors(provider)
        for spec in (s for s in checks.values() if s.provider == provider):
            for key in spec.collection_keys:
                assert key in collectors, f"{spec.id} reads {key}, which no collector fills"
        for collector in collectors.values():
            assert collector.permissions, collector.key
            for permission in collector.permissions:
                assert PERMISSION.match(permission) or AZURE_PERMISSION.match(permission), f"{collector.key}: {permission!r} is not service:Action"


def test_every_mapped_id_exists_and_every_check_is_mapped():
    checks = load_checks()
    assert "soc2" in available_frameworks()
    assert validate(load_framework("soc2"), checks) == []


def test_mfa_checks_map_where_auditors_look():
    soc2 = load_framework("soc2")
    for spec in load_checks().values():
        if spec.category == Category.MFA and "mfa" in spec.id:
            mapped = set(soc2.criteria_for(spec.id))
            assert "CC6.1" in mapped, spec.id


# Checks of exposure at the network layer (admin ports or every port open to the Internet, a database
# reachable from anywhere): the network category, which SARIF tags, CSV and OCSF carry.
NETWORK_EXPOSURE = re.compile(r"\.(security_group_|default_security_group_|network_acl_|nsg_(ssh|rdp|all_ports)_|firewall_(ssh|rdp|all_ports)_"
                              r"|instance_not_publicly_accessible$|no_open_authorized_networks$)")


def test_network_exposure_checks_are_in_the_network_category():
    exposure = {spec.id: spec.category for spec in load_checks().values() if NETWORK_EXPOSURE.search(spec.id)}
    assert len(exposure) >= 13
    assert {i: c.value for i, c in exposure.items() if c != Category.NETWORK} == {}
    assert [s.id for s in load_checks().values() if s.category == Category.NETWORK and s.id not in exposure] == []


def _asserted_statuses() -> dict[str, set[str]]:
    """Statuses asserted per check in `verdicts(report, "<id>") == {(name, status), ...}` comparisons."""
    found: dict[str, set[str]] = {}
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Compare) and isinstance(node.left, ast.Call)):
                continue
            call = node.left
            if getattr(call.func, "id", None) != "verdicts" or len(call.args) < 2:
                continue
            check_id = call.args[1]
            if not isinstance(check_id, ast.Constant):
                continue
            for comparator in node.comparators:
                for element in getattr(comparator, "elts", []):
                    if isinstance(element, ast.Tuple) and isinstance(element.elts[-1], ast.Constant):
                        found.setdefault(check_id.value, set()).add(element.elts[-1].value)
    return found


def test_every_check_has_pass_and_fail_cases():
    asserted = _asserted_statuses()
    missing = [
        f"{check_id}: {sorted({'PASS', 'FAIL'} - asserted.get(check_id, set()))}"
        for check_id in load_checks()
        if not {"PASS", "FAIL"} <= asserted.get(check_id, set())
    ]
    assert not missing, "checks without a PASS and a FAIL test case:\n" + "\n".join(missing)


# -- every check, its inputs denied or its service absent --------------------------------------------
# The API-level tests deny one collector at a time, often through one check of the family it feeds.
# This holds every check of the catalogue to the same rule (a denied API is ERROR, an absent service
# NOT_APPLICABLE, never PASS): a check that judges an optional input without asking ctx.missing, or
# that reads nothing, fails here even where its own tests deny nothing.

UNIT = {"aws": "us-east-1", "azure": "11111111-1111-4111-8111-111111111111", "gcp": "acme-prod"}


def _statuses(spec, state) -> set[str]:
    """The statuses of `spec`'s findings when every collection it reads ended in `state`."""
    from datetime import datetime, timezone

    from scanner.engine.evaluate import evaluate
    from scanner.engine.scan import frameworks
    from scanner.models.aws import AwsInventory
    from scanner.models.azure import AzureInventory
    from scanner.models.common import Coverage
    from scanner.models.gcp import GcpInventory
    from scanner.models.inventory import Identity, Inventory, InventoryMetadata

    provider, unit = spec.provider, UNIT[spec.provider]
    collectors = load_collectors(provider)
    coverage = [
        Coverage(key=key, scope=unit if collectors[key].regional and not collectors[key].organization else "global",
                 state=state, reason=f"{key}: {state.value} in this test")
        for key in spec.collection_keys
    ]
    inventory = Inventory(
        metadata=InventoryMetadata(
            tool_version="test", provider=provider, collected_at=datetime(2026, 1, 15, tzinfo=timezone.utc),
            identity=Identity(account="111122223333" if provider == "aws" else unit),
            regions=[unit] if provider == "aws" else [],
            scope_field="region" if provider == "aws" else "account",
            scopes=[] if provider == "aws" else [unit],
        ),
        coverage=coverage,
        **{provider: {"aws": AwsInventory, "azure": AzureInventory, "gcp": GcpInventory}[provider]()},
    )
    return {f.status.value for f in evaluate(inventory, [spec], frameworks())}


def _denied_or_absent_problems(specs) -> list[str]:
    from scanner.models.common import CoverageState

    wrong = []
    for spec in specs:
        denied = _statuses(spec, CoverageState.FAILED)
        if denied != {"ERROR"}:
            wrong.append(f"{spec.id}: inputs denied gave {sorted(denied) or 'no finding'}, not ERROR")
        absent = _statuses(spec, CoverageState.UNSUPPORTED)
        if absent != {"NOT_APPLICABLE"}:
            wrong.append(f"{spec.id}: service absent gave {sorted(absent) or 'no finding'}, not NOT_APPLICABLE")
    return wrong


def test_every_check_is_error_when_its_inputs_are_denied_and_not_applicable_when_absent():
    wrong = _denied_or_absent_problems(load_checks().values())
    assert not wrong, "\n".join(wrong)


def test_the_denied_rule_catches_a_check_that_passes_without_its_input():
    from dataclasses import replace

    from scanner.registry import Result

    def optimist(inv, ctx):
        yield Result.passed(ctx.account, "nothing says otherwise")

    base = load_checks()["aws.efs.backup_protected"]  # reads one key it can do without
    assert base.optional
    every_optional = replace(base, id="aws.test.optimist", func=optimist, optional=base.collection_keys)
    assert _denied_or_absent_problems([every_optional]) == [
        "aws.test.optimist: inputs denied gave ['PASS'], not ERROR",
        "aws.test.optimist: service absent gave ['PASS'], not NOT_APPLICABLE",
    ]
