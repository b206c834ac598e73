"""Check parameters are typed and bounded: `config validate`, `--param` and `scan` reject the same values.

Before this, `min_days: abc` passed `config validate` and failed every log group at run time, and
`min_days: -5` made every log group PASS.
"""

from __future__ import annotations

import pytest

from scanner.errors import ConfigurationError
from scanner.registry import Param, load_checks, validate_params
from tests.inprocess import one_error_line, run

SNAPSHOT_FREE = ("--endpoint-url", "http://127.0.0.1:9", "--regions", "us-east-1", "-q")


def config_with(tmp_path, body: str):
    path = tmp_path / "trustscan.yaml"
    path.write_text("version: 1\n" + body)
    return path


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("abc", "must be a whole number"),
        ("-5", "from 1 to 3653"),
        ("0", "from 1 to 3653"),
        ("99999", "from 1 to 3653"),
        ("true", "must be a whole number"),
        ("7.5", "must be a whole number"),
    ],
)
def test_bad_values_are_rejected_by_config_validate_param_and_scan(tmp_path, value, problem):
    config = config_with(tmp_path, f"parameters:\n  aws.logs.log_group_retention: {{min_days: {value}}}\n")
    validated = one_error_line(run("config", "validate", str(config)))
    assert "aws.logs.log_group_retention" in validated and "min_days" in validated and problem in validated
    assert str(config) in validated
    # scan reads the same file and stops before any API call (the endpoint is a closed port)
    scanned = one_error_line(run("scan", "aws", "--config", str(config), *SNAPSHOT_FREE))
    assert problem in scanned and str(config) in scanned
    flagged = one_error_line(run("scan", "aws", "--param", f"aws.logs.log_group_retention.min_days={value}", *SNAPSHOT_FREE))
    assert problem in flagged and "--param" in flagged


def test_good_values_pass_and_keep_their_type(tmp_path):
    config = config_with(
        tmp_path,
        "parameters:\n"
        "  aws.logs.log_group_retention: {min_days: 90}\n"
        "  aws.s3.bucket_default_encryption: {require_kms: true}\n"
        "  aws.elbv2.listener_modern_tls_policy: {min_tls_version: TLSv1.3, allowed_policies: [ELBSecurityPolicy-TLS13-1-2-2021-06]}\n"
        "  gcp.sql.postgres_log_min_messages: {min_level: WARNING}\n",
    )
    code, out, err = run("config", "validate", str(config))
    assert code == 0 and "valid" in out, err
    registry = load_checks()
    checked = validate_params(registry, {"aws.s3.bucket_sse_kms_cmk": {"buckets": "a-*, b"}}, "--param")
    assert checked == {"aws.s3.bucket_sse_kms_cmk": {"buckets": ["a-*", "b"]}}, "a comma list is a list of strings"
    assert validate_params(registry, {"gcp.sql.postgres_log_min_messages": {"min_level": "WARNING"}}, "x") == {
        "gcp.sql.postgres_log_min_messages": {"min_level": "warning"}
    }


@pytest.mark.parametrize(
    ("check_id", "name", "value", "problem"),
    [
        ("aws.s3.bucket_default_encryption", "require_kms", "maybe", "must be true or false"),
        ("aws.elbv2.listener_modern_tls_policy", "min_tls_version", "TLSv9", "must be one of"),
        ("aws.cloudfront.viewer_modern_tls", "min_protocol_version", "TLSv1.2", "must be one of"),
        ("aws.elbv2.listener_modern_tls_policy", "allowed_policies", [1, 2], "must be a list of strings"),
        ("azure.entra.users_mfa_registered", "min_percent", 101, "from 0 to 100"),
        ("aws.rds.instance_log_exports", "required_log_types", {"postgres": "x"}, "engine to a list"),
    ],
)
def test_each_kind_of_parameter_is_checked(check_id, name, value, problem):
    with pytest.raises(ConfigurationError) as raised:
        validate_params(load_checks(), {check_id: {name: value}}, "trustscan.yaml")
    message = str(raised.value)
    assert problem in message and f"{check_id}.{name}" in message, message


def test_every_parameter_has_a_kind_and_every_number_has_bounds():
    for spec in load_checks().values():
        for name, param in spec.param_specs.items():
            assert isinstance(param, Param)
            assert param.kind in ("boolean", "integer", "string", "list", "mapping"), (spec.id, name)
            if param.kind == "integer":
                assert param.minimum is not None and param.maximum is not None, f"{spec.id}.{name} declares no bounds"
                assert param.minimum <= param.default <= param.maximum, (spec.id, name)
            if param.choices:
                assert param.default in param.choices, (spec.id, name)
            assert spec.params[name] == param.default  # the defaults map is unchanged for the engine and reports


def test_config_validate_rejects_what_scan_rejects(tmp_path):
    unknown = config_with(tmp_path, "checks:\n  include: [aws.s3.bucket_versioing]\n")
    assert "unknown check id 'aws.s3.bucket_versioing'" in one_error_line(run("config", "validate", str(unknown)))
    assert "unknown check id" in one_error_line(run("scan", "aws", "--config", str(unknown), *SNAPSHOT_FREE))
    empty_glob = config_with(tmp_path, "checks:\n  include: ['aws.s3.*', 'aws.nosuchservice.*']\n")
    message = one_error_line(run("config", "validate", str(empty_glob)))
    assert "'aws.nosuchservice.*' matches no check" in message
    assert "matches no check" in one_error_line(run("scan", "aws", "--config", str(empty_glob), *SNAPSHOT_FREE))
    excluded_all = config_with(tmp_path, "providers:\n  aws: {regions: [us-east-1]}\nchecks:\n  exclude: ['aws.*']\n")
    assert "leaves no aws check" in one_error_line(run("config", "validate", str(excluded_all)))
    # a file for one provider is not judged by the others' selection
    aws_only = config_with(tmp_path, "checks:\n  include: ['aws.s3.*']\n")
    assert run("config", "validate", str(aws_only))[0] == 0


def test_checks_show_says_what_each_parameter_takes():
    code, out, _ = run("checks", "show", "aws.rds.backup_retention")
    assert code == 0 and "min_days=7 (a whole number from 1 to 35)" in out
