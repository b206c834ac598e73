"""S3 Control facts: the account-level S3 Block Public Access setting."""

from __future__ import annotations

from pydantic import BaseModel

from scanner.models.aws.s3 import PublicAccessBlock
from scanner.models.common import Resource


class AccountPublicAccessBlock(Resource):
    """The account's S3 Block Public Access; `configuration` is None when none is set."""

    configuration: PublicAccessBlock | None = None


class S3Control(BaseModel):
    public_access_block: AccountPublicAccessBlock | None = None
