"""The AWS demo: moto's server in-process on a free loopback port, seeded with a small account
that has a realistic mix of compliant and non-compliant resources. The real collectors scan it
through boto3 exactly as they would scan AWS.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

DEMO_REGIONS = ("eu-west-1", "us-east-1")
DEMO_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DEMO_SEED = 20261125  # moto's random ids (vpc-..., vol-...) are repeatable with a seed
# Collections whose APIs moto's server does not implement (it answers 404/500): the demo leaves the
# checks that read them out instead of reporting emulator gaps as ERROR findings.
NOT_EMULATED = frozenset(
    {
        "aws.accessanalyzer.regions",
        "aws.backup.protected_resources",
        "aws.backup.restore_testing_plans",
        "aws.dlm.policies",
    }
)


@dataclass(frozen=True)
class DemoAccount:
    endpoint_url: str
    session: boto3.Session
    regions: tuple[str, ...]


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's threaded server on 127.0.0.1 with a free port; yield its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # moto logs every 404 it serves
    # moto otherwise loads ~1,300 public AMIs into every fresh EC2 backend (seconds per region);
    # nothing here uses them. Read when a backend is created, so setting it for this process is enough.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset(endpoint_url: str, seed: int | None = DEMO_SEED) -> None:
    """Empty moto's state (and make its ids repeatable)."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST")).read()
    if seed is not None:
        urllib.request.urlopen(urllib.request.Request(f"{endpoint_url}/moto-api/seed?a={seed}", method="POST")).read()


def demo_session() -> boto3.Session:
    return boto3.Session(region_name="us-east-1", **DEMO_CREDENTIALS)


@contextmanager
def demo_account() -> Iterator[DemoAccount]:
    with moto_server() as endpoint_url:
        reset(endpoint_url)
        session = demo_session()
        seed_demo_account(session, endpoint_url)
        yield DemoAccount(endpoint_url=endpoint_url, session=session, regions=DEMO_REGIONS)


def seed_demo_account(session: boto3.Session, endpoint_url: str) -> None:
    def client(service: str, region: str = "us-east-1") -> Any:
        return session.client(service, region_name=region, endpoint_url=endpoint_url)

    _seed_iam(client("iam"))
    _seed_kms_and_s3(client)
    for region in DEMO_REGIONS:
        _seed_regional(client, region)


def _seed_iam(iam: Any) -> None:
    # alice: console + MFA (compliant); bob: console without MFA; ci-deploy: access key only.
    for name in ("alice", "bob", "ci-deploy"):
        iam.create_user(UserName=name)
    for name in ("alice", "bob"):
        iam.create_login_profile(UserName=name, Password="Demo-Passw0rd!", PasswordResetRequired=False)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=device["SerialNumber"], AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    iam.create_access_key(UserName="ci-deploy")
    # A policy that looks reasonable but is shorter and more permissive than CIS asks.
    iam.update_account_password_policy(
        MinimumPasswordLength=8,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=5,
    )


def _tls_only_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def _seed_kms_and_s3(client: Any) -> None:
    kms = client("kms")
    audit_key = kms.create_key(Description="audit logs")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=audit_key)
    kms.create_key(Description="legacy app key")  # rotation never enabled

    s3 = client("s3")
    s3.create_bucket(Bucket="acme-access-logs")
    s3.put_bucket_policy(
        Bucket="acme-access-logs",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "S3ServerAccessLogsPolicy",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::acme-access-logs/*",
                    }
                ],
            }
        ),
    )
    s3.create_bucket(Bucket="acme-audit-trail")
    s3.put_bucket_encryption(
        Bucket="acme-audit-trail",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": audit_key}}]
        },
    )
    s3.put_bucket_policy(Bucket="acme-audit-trail", Policy=_tls_only_policy("acme-audit-trail"))
    s3.put_bucket_versioning(Bucket="acme-audit-trail", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_logging(
        Bucket="acme-audit-trail",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "acme-access-logs", "TargetPrefix": "audit-trail/"}},
    )
    s3.put_public_access_block(
        Bucket="acme-audit-trail",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )

    eu_s3 = client("s3", "eu-west-1")
    eu_s3.create_bucket(Bucket="acme-customer-exports", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eu_s3.put_bucket_versioning(Bucket="acme-customer-exports", VersioningConfiguration={"Status": "Suspended"})

    # The organisation trail: multi-region, validated, KMS-encrypted, logging.
    trail = client("cloudtrail").create_trail(
        Name="org-audit-trail",
        S3BucketName="acme-audit-trail",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=audit_key,
        IncludeGlobalServiceEvents=True,
    )
    client("cloudtrail").start_logging(Name=trail["TrailARN"])


def _seed_regional(client: Any, region: str) -> None:
    primary = region == "us-east-1"
    ec2 = client("ec2", region)
    if primary:
        ec2.enable_ebs_encryption_by_default()
    zone = f"{region}a"
    ec2.create_volume(
        AvailabilityZone=zone,
        Size=100,
        Encrypted=True,
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": f"app-data-{region}"}]}],
    )
    if not primary:
        ec2.create_volume(
            AvailabilityZone=zone,
            Size=20,
            Encrypted=False,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "scratch-unencrypted"}]}],
        )
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": f"prod-{region}"}])
    _seed_network(ec2, vpc_id, primary)
    if primary:
        logs = client("logs", region)
        logs.create_log_group(logGroupName="/acme/vpc-flow-logs")
        ec2.create_flow_logs(
            ResourceIds=[vpc_id],
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="cloud-watch-logs",
            LogGroupName="/acme/vpc-flow-logs",
            DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
        )

    logs = client("logs", region)
    logs.create_log_group(logGroupName=f"/acme/audit-{region}")
    logs.put_retention_policy(logGroupName=f"/acme/audit-{region}", retentionInDays=400)
    logs.create_log_group(logGroupName=f"/aws/lambda/api-{region}")
    logs.put_retention_policy(logGroupName=f"/aws/lambda/api-{region}", retentionInDays=14)

    rds = client("rds", region)
    if primary:
        rds.create_db_instance(
            DBInstanceIdentifier="orders-db",
            DBInstanceClass="db.m6g.large",
            Engine="postgres",
            AllocatedStorage=100,
            MasterUsername="app",
            MasterUserPassword="not-a-real-secret-1",
            StorageEncrypted=True,
            MultiAZ=True,
            BackupRetentionPeriod=14,
            DeletionProtection=True,
            PubliclyAccessible=False,
            CopyTagsToSnapshot=True,
        )
    else:
        rds.create_db_instance(
            DBInstanceIdentifier="legacy-reporting-db",
            DBInstanceClass="db.t3.medium",
            Engine="mysql",
            AllocatedStorage=20,
            MasterUsername="app",
            MasterUserPassword="not-a-real-secret-2",
            StorageEncrypted=False,
            MultiAZ=False,
            BackupRetentionPeriod=1,
            DeletionProtection=False,
            PubliclyAccessible=True,
            CopyTagsToSnapshot=False,
        )

    dynamodb = client("dynamodb", region)
    table = "sessions" if primary else "carts"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    if primary:
        dynamodb.update_continuous_backups(
            TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )

    _seed_workloads(client, region, primary)

    if primary:
        backup = client("backup", region)
        backup.create_backup_vault(BackupVaultName="acme-vault")
        backup.create_backup_plan(
            BackupPlan={
                "BackupPlanName": "daily-35d",
                "Rules": [
                    {
                        "RuleName": "daily",
                        "TargetBackupVaultName": "acme-vault",
                        "ScheduleExpression": "cron(0 5 * * ? *)",
                        "Lifecycle": {"DeleteAfterDays": 35},
                    }
                ],
            }
        )


def _seed_network(ec2: Any, vpc_id: str, primary: bool) -> None:
    """Security groups and network ACLs of the prod VPC: HTTPS open to the world (fine), SSH open to
    the world in us-east-1 and RDP in eu-west-1 (not fine); in us-east-1 the default security group is
    emptied and a network ACL denies the administration ports before allowing the rest."""

    def group(name: str, port: int) -> None:
        group_id = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )

    group("web-https", 443)
    group("bastion-ssh" if primary else "legacy-rdp", 22 if primary else 3389)
    if not primary:
        return
    [default] = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    if default["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=default["GroupId"], IpPermissions=default["IpPermissionsEgress"])
    if default["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=default["GroupId"], IpPermissions=default["IpPermissions"])
    acl = ec2.create_network_acl(
        VpcId=vpc_id, TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "prod-private"}]}]
    )["NetworkAcl"]["NetworkAclId"]
    for number, action, ports in ((90, "deny", (22, 22)), (91, "deny", (3389, 3389)), (100, "allow", (0, 65535))):
        ec2.create_network_acl_entry(
            NetworkAclId=acl, RuleNumber=number, Protocol="6", RuleAction=action, Egress=False, CidrBlock="0.0.0.0/0",
            PortRange={"From": ports[0], "To": ports[1]},
        )


def _seed_workloads(client: Any, region: str, primary: bool) -> None:
    """A Kinesis stream, an ECS task definition, a Step Functions state machine and a CodeBuild
    project per region: logged and retained in us-east-1, not in eu-west-1."""
    kinesis = client("kinesis", region)
    stream = "clickstream" if primary else "audit-events"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    if primary:
        kinesis.increase_stream_retention_period(StreamName=stream, RetentionPeriodHours=168)

    logs = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": region, "awslogs-stream-prefix": "web"}}
    containers = [{"name": "app", "image": "public.ecr.aws/nginx/nginx:1.27", "memory": 512, "logConfiguration": logs}]
    if not primary:
        containers.append({"name": "metrics-sidecar", "image": "public.ecr.aws/aws-observability/aws-otel-collector:latest", "memory": 128})
    client("ecs", region).register_task_definition(family="web" if primary else "batch", containerDefinitions=containers)

    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    logging_config: dict[str, Any] = {"level": "OFF"}
    if primary:
        group_arn = f"arn:aws:logs:{region}:123456789012:log-group:/aws/states/order-workflow:*"
        logging_config = {"level": "ALL", "includeExecutionData": False, "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}]}
    client("stepfunctions", region).create_state_machine(
        name="order-workflow" if primary else "nightly-report",
        definition=definition,
        roleArn="arn:aws:iam::123456789012:role/step-functions",
        loggingConfiguration=logging_config,
    )

    status = "ENABLED" if primary else "DISABLED"
    client("codebuild", region).create_project(
        name="app-build" if primary else "legacy-build",
        source={"type": "S3", "location": "acme-build-sources/app.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole="arn:aws:iam::123456789012:role/codebuild",
        logsConfig={"cloudWatchLogs": {"status": status}, "s3Logs": {"status": "DISABLED"}},
    )
