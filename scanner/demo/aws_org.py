"""An AWS Organization in moto's server: a management account, OUs (nested) and member accounts,
each member seeded with a small estate of its own, and the read-only role trustscan assumes.

moto gives every account created through Organizations its own resources, and credentials from
`sts:AssumeRole` act in the role's account, so the real collectors scan each member over HTTP
exactly as they would scan AWS. Used by the organization tests and bench/org_bench.py.

Seeding needs moto's IAM enforcement off (its default); `enforce_iam` turns it on afterwards so
that the caller's and the member roles' policies are what moto answers by (a denied AssumeRole is
a genuine AccessDenied).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3

from scanner.demo.aws import DEMO_CREDENTIALS

MANAGEMENT_ACCOUNT = "123456789012"  # moto's account for DEMO_CREDENTIALS
ROLE_NAME = "TrustscanAudit"
SEED_ROLE = "OrganizationAccountAccessRole"  # created by Organizations in every new account
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class MemberSpec:
    name: str
    ou: str  # an OU path such as "Production/Payments", "" for the root
    variant: int  # which estate (see seed_estate)
    active: bool = True  # False: closed after creation (SUSPENDED)
    role: bool = True  # False: no trustscan role deployed in it


@dataclass
class Organization:
    """What was built: ids by name, for assertions."""

    endpoint_url: str
    id: str
    root: str
    ous: dict[str, str] = field(default_factory=dict)  # OU path -> id
    accounts: dict[str, str] = field(default_factory=dict)  # member name -> account id
    caller: dict[str, str] = field(default_factory=dict)  # management user's access key, once enforced
    outsider: dict[str, str] = field(default_factory=dict)  # a member account's user (see member_user)

    def session(self, **credentials: str) -> boto3.Session:
        return boto3.Session(region_name="us-east-1", **(credentials or DEMO_CREDENTIALS))

    def caller_session(self) -> boto3.Session:
        return self.session(**self.caller) if self.caller else self.session()


# The organization of the tests: nested OUs, a suspended account, varied estates.
TEST_MEMBERS = (
    MemberSpec("prod-web", "Production", 1),
    MemberSpec("payments-api", "Production/Payments", 2),
    MemberSpec("payments-db", "Production/Payments", 3),
    MemberSpec("sandbox-alice", "Sandbox", 4),
    MemberSpec("sandbox-bob", "Sandbox", 5),
    MemberSpec("log-archive", "Security", 6),
    MemberSpec("retired", "Sandbox", 7, active=False),
)


def seed_organization(
    endpoint_url: str,
    members: tuple[MemberSpec, ...] | list[MemberSpec] = TEST_MEMBERS,
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1"),
    role_policy: dict | None = None,
    management_variant: int = 0,
) -> Organization:
    """Create the organization, its OUs and accounts; seed each ACTIVE account's estate (the
    management account's too) and deploy the trustscan role (with `role_policy`) in each member."""
    session = boto3.Session(region_name="us-east-1", **DEMO_CREDENTIALS)
    org = session.client("organizations", endpoint_url=endpoint_url)
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    built = Organization(endpoint_url=endpoint_url, id=org_id, root=root)
    for path in sorted({m.ou for m in members if m.ou}):
        parent = root
        for depth, name in enumerate(path.split("/"), start=1):
            prefix = "/".join(path.split("/")[:depth])
            if prefix not in built.ous:
                built.ous[prefix] = org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]
            parent = built.ous[prefix]
    seed_estate(_clients(session, endpoint_url), MANAGEMENT_ACCOUNT, management_variant, regions)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    sts = session.client("sts", endpoint_url=endpoint_url)
    for spec in members:
        account = org.create_account(AccountName=spec.name, Email=f"{spec.name}@example.com")["CreateAccountStatus"]["AccountId"]
        built.accounts[spec.name] = account
        if spec.ou:
            org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=built.ous[spec.ou])
        if not spec.active:
            org.close_account(AccountId=account)
            continue
        credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{SEED_ROLE}", RoleSessionName="seed")["Credentials"]
        client = _clients(session, endpoint_url, credentials)
        seed_estate(client, account, spec.variant, regions)
        if spec.role:
            iam = client("iam")
            iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))
            iam.put_role_policy(
                RoleName=ROLE_NAME, PolicyName="trustscan-read-only", PolicyDocument=json.dumps(role_policy or ALLOW_ALL)
            )
    return built


def _clients(session: boto3.Session, endpoint_url: str, credentials: dict | None = None) -> Any:
    """Clients of one account, each built once. Members' clients come from the management
    session with the member's keys: one botocore session, so service models load once."""
    keys = (
        {}
        if credentials is None
        else {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    )
    built: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str = "us-east-1") -> Any:
        if (service, region) not in built:
            built[(service, region)] = session.client(service, region_name=region, endpoint_url=endpoint_url, **keys)
        return built[(service, region)]

    return client


def seed_estate(client: Any, account: str, variant: int, regions: tuple[str, ...]) -> None:
    """A small mixed estate whose verdicts differ with `variant`: IAM users with and without MFA,
    a password policy, versioned and unversioned buckets, encrypted and unencrypted volumes, log
    groups with and without retention, KMS keys with and without rotation."""
    iam = client("iam")
    for index in range(1 + variant % 3):
        user = f"user-{variant}-{index}"
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Org-Passw0rd!")
        if index == 0 and variant % 2 == 0:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user}-phone")["VirtualMFADevice"]
            iam.enable_mfa_device(
                UserName=user, SerialNumber=device["SerialNumber"], AuthenticationCode1="123456", AuthenticationCode2="654321"
            )
    iam.update_account_password_policy(MinimumPasswordLength=14 if variant % 2 == 0 else 8)

    s3 = client("s3")
    bucket = f"data-{account}"
    s3.create_bucket(Bucket=bucket)
    if variant % 2 == 0:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    if variant % 3 == 0:
        s3.create_bucket(Bucket=f"logs-{account}")

    for region in regions:
        ec2 = client("ec2", region)
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=10, Encrypted=variant % 2 == 0)
        if variant % 3 == 1:
            ec2.create_volume(AvailabilityZone=f"{region}a", Size=5, Encrypted=False)
        logs = client("logs", region)
        group = f"/app/{variant}"
        logs.create_log_group(logGroupName=group)
        if variant % 2:
            logs.put_retention_policy(logGroupName=group, retentionInDays=400)
        kms = client("kms", region)
        key = kms.create_key(Description=f"app key {variant}")["KeyMetadata"]["KeyId"]
        if variant % 2 == 0:
            kms.enable_key_rotation(KeyId=key)


def enforce_iam(built: Organization, caller_policy: dict, deny_role_in: tuple[str, ...] = ()) -> None:
    """Give the management account an IAM user with `caller_policy` (plus a Deny of sts:AssumeRole
    on the trustscan role in the `deny_role_in` member names), then make moto enforce IAM."""
    iam = built.session().client("iam", endpoint_url=built.endpoint_url)
    iam.create_user(UserName="trustscan")
    iam.put_user_policy(UserName="trustscan", PolicyName="trustscan", PolicyDocument=json.dumps(caller_policy))
    if deny_role_in:
        denied = [f"arn:aws:iam::{built.accounts[name]}:role/{ROLE_NAME}" for name in deny_role_in]
        deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": denied}]}
        iam.put_user_policy(UserName="trustscan", PolicyName="deny-some-members", PolicyDocument=json.dumps(deny))
    key = iam.create_access_key(UserName="trustscan")["AccessKey"]
    built.caller = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    set_auth_after(built.endpoint_url, 0)


def deny_in_member_role(built: Organization, name: str, actions: list[str]) -> None:
    """Add a Deny of `actions` to the trustscan role of member `name` (a role deployed with less
    than the printed policy). Call it before `enforce_iam`."""
    credentials = built.session().client("sts", endpoint_url=built.endpoint_url).assume_role(
        RoleArn=f"arn:aws:iam::{built.accounts[name]}:role/{SEED_ROLE}", RoleSessionName="seed"
    )["Credentials"]
    iam = _clients(built.session(), built.endpoint_url, credentials)("iam")
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": actions, "Resource": "*"}]}
    iam.put_role_policy(RoleName=ROLE_NAME, PolicyName="trustscan-deny", PolicyDocument=json.dumps(deny))


def member_user(built: Organization, name: str) -> dict[str, str]:
    """An IAM user allowed everything in member `name` (a caller that is not the management
    account), recorded as `built.outsider`. Create it before `enforce_iam`."""
    session = built.session()
    credentials = session.client("sts", endpoint_url=built.endpoint_url).assume_role(
        RoleArn=f"arn:aws:iam::{built.accounts[name]}:role/{SEED_ROLE}", RoleSessionName="seed"
    )["Credentials"]
    iam = _clients(session, built.endpoint_url, credentials)("iam")
    iam.create_user(UserName="outsider")
    iam.put_user_policy(UserName="outsider", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    key = iam.create_access_key(UserName="outsider")["AccessKey"]
    built.outsider = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    return built.outsider


def set_auth_after(endpoint_url: str, calls: float) -> None:
    """Make moto enforce IAM after `calls` more requests (inf = never)."""
    request = urllib.request.Request(
        f"{endpoint_url}/moto-api/reset-auth", data=str(calls).encode(), method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(request).read()


_SERVER = """
import os, sys, logging
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"http://{host}:{port}", flush=True)
sys.stdin.read()  # until the parent closes our stdin
server.stop()
"""


class MotoUrl(str):
    """The URL of a moto server process; `pid` is the process (for its CPU time)."""

    pid: int


@contextmanager
def moto_process(seed: int | None = 20261125) -> Iterator[MotoUrl]:
    """moto's server in a child process of its own: its state (and IAM enforcement) is separate
    from any in-process moto server, and it uses a core of its own under load."""
    env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
    child = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"moto server did not start (said {url!r})")
        if seed is not None:
            urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/seed?a={seed}", method="POST")).read()
        served = MotoUrl(url)
        served.pid = child.pid
        yield served
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
