"""S3 Control (account level, read once): the account's S3 Block Public Access configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from scanner.collect.aws._facets import error_code
from scanner.collect.registry import collector
from scanner.models.aws.s3 import PublicAccessBlock
from scanner.models.aws.s3control import AccountPublicAccessBlock

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.s3control.public_access_block", regional=False, permissions=["s3:GetAccountPublicAccessBlock"])
def public_access_block(scope: AwsScope) -> AccountPublicAccessBlock:
    _serve_from_custom_endpoint(scope)
    try:
        config = scope.call("s3control", "GetPublicAccessBlock", AccountId=scope.account)["PublicAccessBlockConfiguration"]
    except Exception as exc:
        if error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
        config = None  # not configured: a value, not an error
    return AccountPublicAccessBlock(
        id=f"arn:{scope.partition}:s3::{scope.account}:account-public-access-block",
        name=f"S3 Block Public Access (account {scope.account})",
        region="global",
        account=scope.account,
        configuration=None
        if config is None
        else PublicAccessBlock(
            block_public_acls=bool(config.get("BlockPublicAcls")),
            ignore_public_acls=bool(config.get("IgnorePublicAcls")),
            block_public_policy=bool(config.get("BlockPublicPolicy")),
            restrict_public_buckets=bool(config.get("RestrictPublicBuckets")),
        ),
    )


def _serve_from_custom_endpoint(scope: AwsScope) -> None:
    """S3 Control puts the account id in the host name (`ACCOUNT.s3-control.REGION.amazonaws.com`).
    Against a custom endpoint (an emulator such as moto or LocalStack on `127.0.0.1:PORT`) that host
    does not resolve; send the request to the endpoint's own host instead. Nothing changes on AWS."""
    endpoint = scope.api.endpoint_url
    if not endpoint:
        return
    host = urlsplit(endpoint).netloc

    def to_endpoint_host(request: Any, **_: Any) -> None:
        request.url = urlunsplit(urlsplit(request.url)._replace(netloc=host))

    client = scope.api.client("s3control", scope.region)
    client.meta.events.register("before-sign.s3-control", to_endpoint_host, unique_id="trustscan-s3control-endpoint-host")
