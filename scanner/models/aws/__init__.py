"""The AWS inventory: one attribute per service, named as the collection keys (`aws.<service>.<attr>`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.aws.backup import Backup
from scanner.models.aws.cloudtrail import CloudTrail
from scanner.models.aws.dynamodb import DynamoDb
from scanner.models.aws.ec2 import Ec2
from scanner.models.aws.iam import Iam
from scanner.models.aws.kms import Kms
from scanner.models.aws.logs import Logs
from scanner.models.aws.rds import Rds
from scanner.models.aws.s3 import S3


class AwsInventory(BaseModel):
    backup: Backup = Field(default_factory=Backup)
    cloudtrail: CloudTrail = Field(default_factory=CloudTrail)
    dynamodb: DynamoDb = Field(default_factory=DynamoDb)
    ec2: Ec2 = Field(default_factory=Ec2)
    iam: Iam = Field(default_factory=Iam)
    kms: Kms = Field(default_factory=Kms)
    logs: Logs = Field(default_factory=Logs)
    rds: Rds = Field(default_factory=Rds)
    s3: S3 = Field(default_factory=S3)
