"""Resource Manager facts: the organization and each project, with their IAM policies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource
from scanner.models.gcp.iam_policy import IamPolicy


class Project(Resource):
    """A project (id = "projects/<id>", account = the project id, region "global")."""

    number: str | None = None
    parent: str | None = None  # "organizations/123" / "folders/456"
    iam_policy: IamPolicy | None = None  # facet "iam_policy"


class Organization(Resource):
    """The organization (id = "organizations/<id>", account = the organization id)."""

    display_name: str | None = None
    directory_customer_id: str | None = None
    iam_policy: IamPolicy | None = None  # facet "iam_policy"


class ResourceManager(BaseModel):
    projects: list[Project] = Field(default_factory=list)
    organization: Organization | None = None
