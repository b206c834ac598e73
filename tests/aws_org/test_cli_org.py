"""`trustscan scan|collect|permissions aws` with the organization options, as a user runs them."""

from __future__ import annotations

import json
import signal

import pytest

from scanner.cli.main import main
from scanner.demo.aws_org import ROLE_NAME


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    previous = signal.getsignal(signal.SIGTERM)  # scan turns SIGTERM into an interrupt: restore it
    try:
        with pytest.raises(SystemExit) as done:
            main(list(args))
    finally:
        signal.signal(signal.SIGTERM, previous)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def assert_refused(capsys, args: list[str], message: str) -> None:
    code, out, err = run_main(capsys, *args)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"trustscan: error: {message}"), err
    assert out == ""


# Refused before any API call: the endpoint is a closed port, so a call would fail differently.
CLOSED = ["--endpoint-url", "http://127.0.0.1:9"]


@pytest.mark.parametrize("command", ["scan", "collect"])
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--role-name", ROLE_NAME], "--role-name needs --org or --accounts"),
        (["--ous", "ou-abcd-12345678", "--role-name", ROLE_NAME], "--ous needs --org"),
        (["--org"], "--org needs --role-name"),
        (["--accounts", "123456789012"], "--accounts needs --role-name"),
        (["--org", "--role-name", ROLE_NAME, "--ous", "ou-bad"], "--ous: 'ou-bad' is not an organizational unit id"),
        (["--org", "--role-name", ROLE_NAME, "--accounts", "12345"], "--accounts: '12345' is not an AWS account id"),
        (["--org", "--role-name", ROLE_NAME, "--exclude-accounts", "abc"], "--exclude-accounts: 'abc' is not an AWS account id"),
        (["--org", "--role-name", "bad role"], "--role-name: 'bad role' is not an IAM role name"),
        (["--org", "--role-name", ROLE_NAME, "--external-id", "x"], "--external-id must be 2 to 1224 characters"),
        (["--external-id", "abcdef"], "--external-id needs --role-name"),
        (["--exclude-accounts", "123456789012"], "--exclude-accounts needs --org or --accounts"),
    ],
)
def test_contradictory_or_malformed_options_are_refused_before_any_call(capsys, tmp_path, command, options, message):
    out = ["--out", str(tmp_path / "s.json")] if command == "collect" else []
    assert_refused(capsys, [command, "aws", *CLOSED, *out, *options], message)


def test_permissions_org_prints_the_caller_and_member_role_policies(capsys):
    code, out, _ = run_main(
        capsys,
        "permissions",
        "aws",
        "--org",
        "--checks",
        "aws.s3.bucket_versioning",
        "--role-name",
        "audit/Trustscan",
        "--trusted-principal",
        "arn:aws:iam::111122223333:role/scanner",
        "--external-id",
        "acme-7f3a",
    )
    assert code == 0
    document = json.loads(out)
    caller = {s["Sid"]: s for s in document["callerPolicy"]["Statement"]}
    assert caller["TrustscanDiscoverAccounts"]["Action"] == [
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
        "organizations:ListChildren",
    ]
    assert caller["TrustscanAssumeMemberRole"] == {
        "Sid": "TrustscanAssumeMemberRole",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": "arn:aws:iam::*:role/audit/Trustscan",
    }
    member = document["memberRole"]
    assert member["roleName"] == "audit/Trustscan"
    read_only = member["permissionsPolicy"]["Statement"][0]["Action"]
    assert "s3:GetBucketVersioning" in read_only and caller["TrustscanReadOnly"]["Action"] == read_only
    assert not [a for a in read_only if a.split(":")[1].startswith(("Put", "Create", "Delete", "Update"))]
    assert member["trustPolicy"]["Statement"] == [
        {
            "Sid": "TrustscanScanner",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:role/scanner"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "acme-7f3a"}},
        }
    ]


def test_permissions_without_org_is_the_single_account_policy(capsys):
    code, out, _ = run_main(capsys, "permissions", "aws", "--checks", "aws.s3.bucket_versioning")
    assert code == 0 and json.loads(out)["Statement"][0]["Sid"] == "TrustscanReadOnly"
    assert_refused(capsys, ["permissions", "aws", "--role-name", ROLE_NAME], "--role-name, --trusted-principal and --external-id")
    assert_refused(capsys, ["permissions", "gcp", "--org"], "--org applies to `permissions aws` only")
