"""The IAM action that authorises an API call, so that a denial names what to grant.

Most actions are `<prefix>:<Operation>`, with the IAM prefix differing from boto3's service name for a
few services. Some operations are authorised by an action of another name (S3's GetBucketEncryption
by s3:GetEncryptionConfiguration, ListBuckets by s3:ListAllMyBuckets; API Gateway's reads by the HTTP
verb, apigateway:GET). tests/test_iam_actions.py checks every call the collectors make against the
permissions they declare, so a new getter with a differing action fails until it is listed here.
"""

from __future__ import annotations

# boto3 service name (or our collector's service module name) -> IAM action prefix, where they differ
IAM_PREFIX = {
    "accessanalyzer": "access-analyzer",
    "apigatewayv2": "apigateway",
    "awslambda": "lambda",
    "cognitoidp": "cognito-idp",
    "efs": "elasticfilesystem",
    "elb": "elasticloadbalancing",
    "elbv2": "elasticloadbalancing",
    "opensearch": "es",
    "s3control": "s3",
    "ssoadmin": "sso",
    "sso-admin": "sso",
    "stepfunctions": "states",
}

# (boto3 service, operation) -> IAM action, where the action is not named after the operation
# (Service Authorization Reference: "Actions defined by Amazon S3", "Amazon API Gateway Management").
ACTION_FOR_OPERATION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "GetBucketLifecycle"): "s3:GetLifecycleConfiguration",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
    ("s3", "GetBucketOwnershipControls"): "s3:GetBucketOwnershipControls",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}
# Services whose actions are HTTP verbs on resource paths, not operation names.
VERB_ACTIONS = {"apigateway": "apigateway:GET", "apigatewayv2": "apigateway:GET"}


def iam_action(service: str, operation: str) -> str:
    """`s3:GetEncryptionConfiguration` for ("s3", "GetBucketEncryption"), `lambda:ListFunctions` for ("lambda", ...)."""
    if (service, operation) in ACTION_FOR_OPERATION:
        return ACTION_FOR_OPERATION[(service, operation)]
    if service in VERB_ACTIONS and operation.startswith(("Get", "List")):
        return VERB_ACTIONS[service]
    return f"{IAM_PREFIX.get(service, service)}:{operation}"
