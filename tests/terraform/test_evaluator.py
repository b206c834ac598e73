"""The Terraform evaluator: what resolves (locals, tfvars, modules, count, for_each, dynamic blocks,
templates, functions) and what stays unknown with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ConfigurationError
from scanner.sources.terraform.hcl import parse_text
from scanner.sources.terraform.loader import load_tree
from scanner.sources.terraform.modules import variable_values
from scanner.sources.terraform.values import Computed, Unknown
from tests.terraform.conftest import tf_scan, tf_verdicts


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def resources(root: Path, variables: dict | None = None) -> dict:
    tree = load_tree([str(root)], variables or {})
    return {r.address: r for r in tree.resources()}


def test_locals_tfvars_and_var_flags_resolve_in_terraform_order(tmp_path):
    write(tmp_path, {
        "main.tf": 'variable "env" { default = "dev" }\nvariable "size" { type = number }\n'
        'locals { name = "app-${var.env}" }\nresource "aws_ebs_volume" "v" { size = var.size\n tags = { Name = local.name } }\n',
        "terraform.tfvars": 'env = "prod"\nsize = 5\n',
        "override.tfvars": "size = 8\n",
    })
    values, _ = variable_values(tmp_path, [str(tmp_path / "override.tfvars")], ["env=stage"], {"TF_VAR_env": "ignored"})
    volume = resources(tmp_path, values)["aws_ebs_volume.v"]
    assert volume.values == {"size": 8, "tags": {"Name": "app-stage"}}


def test_count_for_each_and_splat_expand_over_known_values(tmp_path):
    write(tmp_path, {"main.tf": '''
locals { names = ["a", "b"] }
resource "aws_s3_bucket" "n" {
  count  = length(local.names)
  bucket = "b-${local.names[count.index]}"
}
resource "aws_s3_bucket" "m" {
  for_each = { for name in local.names : name => upper(name) }
  bucket   = lower("M-${each.value}")
}
resource "aws_sns_topic" "t" {
  name = join(",", aws_s3_bucket.n[*].bucket)
}
'''})
    found = resources(tmp_path)
    assert sorted(found) == ['aws_s3_bucket.m["a"]', 'aws_s3_bucket.m["b"]', "aws_s3_bucket.n[0]", "aws_s3_bucket.n[1]", "aws_sns_topic.t"]
    assert found['aws_s3_bucket.m["b"]'].values["bucket"] == "m-b"
    assert found["aws_sns_topic.t"].values["name"] == "b-a,b-b"


def test_for_each_over_an_unknown_value_is_one_instance_whose_values_are_unknown(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "names" { type = set(string) }
resource "aws_s3_bucket" "x" {
  for_each = var.names
  bucket   = each.key
}
'''})
    found = resources(tmp_path)
    assert list(found) == ['aws_s3_bucket.x["*"]']
    bucket = next(iter(found.values())).values["bucket"]
    assert isinstance(bucket, Unknown) and "names" in str(bucket)


def test_modules_get_their_inputs_and_give_their_outputs(tmp_path):
    write(tmp_path, {
        "main.tf": 'module "store" {\n source = "./modules/store"\n name = "logs"\n}\n'
        'resource "aws_sns_topic" "t" { name = module.store.bucket_name }\n',
        "modules/store/main.tf": 'variable "name" {}\nresource "aws_s3_bucket" "this" { bucket = "acme-${var.name}" }\n'
        'output "bucket_name" { value = aws_s3_bucket.this.bucket }\n',
    })
    found = resources(tmp_path)
    assert found["module.store.aws_s3_bucket.this"].values["bucket"] == "acme-logs"
    assert found["module.store.aws_s3_bucket.this"].file == "modules/store/main.tf"
    assert found["aws_sns_topic.t"].values["name"] == "acme-logs"


def test_remote_modules_are_reported_as_not_scanned(tmp_path):
    write(tmp_path, {"main.tf": 'module "vpc" {\n source = "terraform-aws-modules/vpc/aws"\n}\nresource "aws_vpc" "x" { cidr_block = module.vpc.cidr }\n'})
    tree = load_tree([str(tmp_path)], {})
    vpc = next(r for r in tree.resources() if r.address == "aws_vpc.x")
    assert isinstance(vpc.values["cidr_block"], Unknown) and "does not scan" in str(vpc.values["cidr_block"])
    assert tree.remote_modules == [("module.vpc", "terraform-aws-modules/vpc/aws", ".")]
    report = tf_scan(tmp_path, "aws.ec2.vpc_flow_logs")
    assert any("not scanned" in e.reason for e in report.collection_errors)


def test_dynamic_blocks_expand_and_unknown_collections_stay_unknown(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "rules" { default = { a = 30, b = 60 } }
variable "later" {}
resource "aws_s3_bucket_lifecycle_configuration" "l" {
  bucket = "x"
  dynamic "rule" {
    for_each = var.rules
    content {
      id     = rule.key
      status = "Enabled"
      expiration { days = rule.value }
    }
  }
}
resource "aws_s3_bucket_lifecycle_configuration" "u" {
  bucket = "y"
  dynamic "rule" {
    for_each = var.later
    content { id = rule.key }
  }
}
'''})
    found = resources(tmp_path)
    assert [(r["id"], r["expiration"][0]["days"]) for r in found["aws_s3_bucket_lifecycle_configuration.l"].values["rule"]] == [("a", 30), ("b", 60)]
    assert isinstance(found["aws_s3_bucket_lifecycle_configuration.u"].values["rule"], Unknown)


def test_references_to_computed_attributes_remember_the_resource(tmp_path):
    write(tmp_path, {"main.tf": 'resource "aws_kms_key" "k" {}\nresource "aws_sns_topic" "t" { kms_master_key_id = aws_kms_key.k.arn }\n'})
    value = resources(tmp_path)["aws_sns_topic.t"].values["kms_master_key_id"]
    assert isinstance(value, Computed) and (value.address, value.attribute) == ("aws_kms_key.k", "arn")


def test_templates_heredocs_and_functions(tmp_path):
    write(tmp_path, {"main.tf": '''
locals {
  items = ["x", "y"]
  doc   = <<-EOT
    %{ for i in local.items ~}${i};%{ endfor ~}
  EOT
}
resource "aws_sns_topic" "t" {
  name         = format("%s-%03d", "topic", 7)
  display_name = trimspace(local.doc)
  policy       = jsonencode({ a = merge({ b = 1 }, { c = [for i in local.items : upper(i)] }) })
}
'''})
    values = resources(tmp_path)["aws_sns_topic.t"].values
    assert values["name"] == "topic-007"
    assert values["policy"] == '{"a":{"b":1,"c":["X","Y"]}}'


def test_a_syntax_error_names_the_line():
    parsed = parse_text('resource "a" "b" {\n  x = \n}\n', "bad.tf")
    assert parsed.error is not None and parsed.error[0] == 2  # `x =` has no expression


def test_bad_var_and_var_file_are_configuration_errors(tmp_path):
    with pytest.raises(ConfigurationError, match="not NAME=VALUE"):
        variable_values(tmp_path, [], ["novalue"], {})
    with pytest.raises(ConfigurationError, match="file not found"):
        variable_values(tmp_path, [str(tmp_path / "missing.tfvars")], [], {})


def test_unknown_value_makes_only_the_checks_that_read_it_unknown(tmp_path):
    write(tmp_path, {"main.tf": '''
variable "encrypted" { type = bool }
resource "aws_db_instance" "db" {
  identifier          = "app"
  engine              = "postgres"
  storage_encrypted   = var.encrypted
  deletion_protection = true
  multi_az            = true
}
'''})
    report = tf_scan(tmp_path, "aws.rds.instance_storage_encrypted,aws.rds.deletion_protection")
    assert tf_verdicts(report, "aws.rds.instance_storage_encrypted") == {("aws_db_instance.db", "UNKNOWN")}
    assert tf_verdicts(report, "aws.rds.deletion_protection") == {("aws_db_instance.db", "PASS")}
    unknown = next(f for f in report.findings if f.status.value == "UNKNOWN")
    assert "storage_encrypted" in unknown.message and "'encrypted'" in unknown.message
    assert unknown.location.start_line == unknown.location.end_line == 6  # the attribute's line


def test_root_modules_judged_in_worker_processes_give_the_same_report(monkeypatch):
    """Large trees are parsed and evaluated on every core (files and root modules shared between this
    process and forked workers)."""
    from scanner.engine.scan import frameworks
    from scanner.registry import load_checks
    from scanner.sources.terraform import loader
    from scanner.sources.terraform import scan as tf
    from tests.terraform.conftest import FIXTURES

    checks = list(load_checks().values())
    serial, _ = tf.report(tf.from_tree([str(FIXTURES / "aws")], {}, workers=1), checks, frameworks(), workers=1)
    monkeypatch.setattr(tf, "PARALLEL_FROM_RESOURCE_BLOCKS", 1)
    monkeypatch.setattr(loader, "PARALLEL_FROM_FILES", 1)
    parallel, _ = tf.report(tf.from_tree([str(FIXTURES / "aws")], {}, workers=2), checks, frameworks(), workers=2)
    assert len(serial.metadata.scopes) == 4
    assert [f.model_dump_json() for f in parallel.findings] == [f.model_dump_json() for f in serial.findings]
    assert parallel.summary == serial.summary


def test_uncommon_constructs_are_read_without_errors():
    from tests.terraform.conftest import FIXTURES

    report = tf_scan(FIXTURES / "constructs")
    assert not [f for f in report.findings if f.status.value == "ERROR"]
    assert not report.collection_errors
    assert tf_verdicts(report, "aws.s3.bucket_tls_only") == {("aws_s3_bucket.new", "UNKNOWN")}
    assert tf_verdicts(report, "aws.rds.deletion_protection") == {("aws_db_instance.d[0]", "FAIL"), ("aws_db_instance.d[1]", "FAIL")}
    bucket = next(f for f in report.findings if f.check_id == "aws.s3.bucket_versioning")
    assert bucket.resource_name == "odd-default" and bucket.region == "us-west-2"  # terraform.workspace, the aliased provider
