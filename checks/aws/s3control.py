"""S3 Control: the account-wide S3 Block Public Access setting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.s3control.account_public_access_block",
    title="S3 Block Public Access is on for the whole account",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::S3::AccountPublicAccessBlock",
    reads=["aws.s3control.public_access_block"],
    remediation="S3 console > Block Public Access settings for this account > turn on all four "
    "(aws s3control put-public-access-block --account-id ACCOUNT --public-access-block-configuration "
    "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true).",
)
def account_public_access_block(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The account-level setting overrides every bucket's ACLs and policies, so no bucket created
    later, by any team or tool, can be made public by mistake: the preventive control for keeping
    confidential objects off the internet (C1.1, CC6.1)."""
    setting = inv.s3control.public_access_block
    if setting is None:
        return
    config = setting.configuration
    if config is None:
        yield Result.failed(setting, "no account-level Block Public Access configuration (NoSuchPublicAccessBlockConfiguration)")
    elif config.all_enabled:
        yield Result.passed(setting, "all four account-level Block Public Access settings are true", **config.model_dump())
    else:
        off = sorted(k for k, v in config.model_dump().items() if not v)
        yield Result.failed(setting, f"account-level Block Public Access settings off: {', '.join(off)}", **config.model_dump())
