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
from scanner.models.aws.dlm import Dlm
from scanner.models.aws.efs import Efs
from scanner.models.aws.redshift import Redshift
from scanner.models.aws.elasticache import ElastiCache
from scanner.models.aws.autoscaling import AutoScaling
from scanner.models.aws.s3control import S3Control
from scanner.models.aws.config import Config
from scanner.models.aws.guardduty import GuardDuty
from scanner.models.aws.securityhub import SecurityHub
from scanner.models.aws.secretsmanager import SecretsManager
from scanner.models.aws.acm import Acm
from scanner.models.aws.cognitoidp import CognitoIdp
from scanner.models.aws.ssoadmin import SsoAdmin
from scanner.models.aws.accessanalyzer import AccessAnalyzer
from scanner.models.aws.cloudwatch import CloudWatch
from scanner.models.aws.sns import Sns
from scanner.models.aws.awslambda import AwsLambda
from scanner.models.aws.elbv2 import Elbv2
from scanner.models.aws.elb import Elb
from scanner.models.aws.cloudfront import CloudFront
from scanner.models.aws.apigateway import ApiGateway
from scanner.models.aws.apigatewayv2 import ApiGatewayV2
from scanner.models.aws.opensearch import OpenSearch
from scanner.models.aws.wafv2 import Wafv2
from scanner.models.aws.route53 import Route53
from scanner.models.aws.sqs import Sqs
from scanner.models.aws.kinesis import Kinesis
from scanner.models.aws.sagemaker import SageMaker
from scanner.models.aws.ecs import Ecs
from scanner.models.aws.stepfunctions import StepFunctions
from scanner.models.aws.codebuild import CodeBuild


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
    dlm: Dlm = Field(default_factory=Dlm)
    efs: Efs = Field(default_factory=Efs)
    redshift: Redshift = Field(default_factory=Redshift)
    elasticache: ElastiCache = Field(default_factory=ElastiCache)
    autoscaling: AutoScaling = Field(default_factory=AutoScaling)
    s3control: S3Control = Field(default_factory=S3Control)
    config: Config = Field(default_factory=Config)
    guardduty: GuardDuty = Field(default_factory=GuardDuty)
    securityhub: SecurityHub = Field(default_factory=SecurityHub)
    secretsmanager: SecretsManager = Field(default_factory=SecretsManager)
    acm: Acm = Field(default_factory=Acm)
    cognitoidp: CognitoIdp = Field(default_factory=CognitoIdp)
    ssoadmin: SsoAdmin = Field(default_factory=SsoAdmin)
    accessanalyzer: AccessAnalyzer = Field(default_factory=AccessAnalyzer)
    cloudwatch: CloudWatch = Field(default_factory=CloudWatch)
    sns: Sns = Field(default_factory=Sns)
    awslambda: AwsLambda = Field(default_factory=AwsLambda)  # `lambda` is a Python keyword
    elbv2: Elbv2 = Field(default_factory=Elbv2)
    elb: Elb = Field(default_factory=Elb)
    cloudfront: CloudFront = Field(default_factory=CloudFront)
    apigateway: ApiGateway = Field(default_factory=ApiGateway)
    apigatewayv2: ApiGatewayV2 = Field(default_factory=ApiGatewayV2)
    opensearch: OpenSearch = Field(default_factory=OpenSearch)
    wafv2: Wafv2 = Field(default_factory=Wafv2)
    route53: Route53 = Field(default_factory=Route53)
    sqs: Sqs = Field(default_factory=Sqs)
    kinesis: Kinesis = Field(default_factory=Kinesis)
    sagemaker: SageMaker = Field(default_factory=SageMaker)
    ecs: Ecs = Field(default_factory=Ecs)
    stepfunctions: StepFunctions = Field(default_factory=StepFunctions)
    codebuild: CodeBuild = Field(default_factory=CodeBuild)
