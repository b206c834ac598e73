"""AWS: standard credential chain, every enabled region, moto for the demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

NAME = "aws"
SCAN_HELP = "Scan AWS with the standard credential chain (env, profile, SSO, instance role)."
OPTIONS = [
    click.option("--profile", help="AWS named profile (default: the standard credential chain)."),
    click.option("--regions", metavar="R1,R2|all", help="Regions to scan (default: every enabled region)."),
    click.option("--endpoint-url", help="Send every API call here (moto server, LocalStack)."),
]


def open_collection(pool: Any, *, profile: str | None = None, regions: str | None = None, endpoint_url: str | None = None, session: Any = None) -> Any:
    from scanner.collect.aws._client import AwsApi, AwsCollection

    from scanner.collect.aws._regions import parse_regions

    region_list = parse_regions(regions)
    api = AwsApi(pool, profile=profile, endpoint_url=endpoint_url, session=session)
    collection = AwsCollection(api, regions=region_list)
    if collection.region_warning:
        click.echo(f"trustscan: warning: {collection.region_warning}", err=True)
    return collection


@contextmanager
def demo() -> Iterator[dict[str, Any]]:
    from scanner.demo.aws import demo_account

    from scanner.demo.aws import NOT_EMULATED

    with demo_account() as account:
        yield {
            "regions": ",".join(account.regions),
            "endpoint_url": account.endpoint_url,
            "session": account.session,
            "not_emulated": NOT_EMULATED,
        }


def permissions(checks: list[Any]) -> str:
    from scanner.catalogue import required_permissions

    actions = sorted(set(required_permissions(checks)) | {"sts:GetCallerIdentity", "ec2:DescribeRegions"})
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "TrustscanReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    return json.dumps(policy, indent=2)
