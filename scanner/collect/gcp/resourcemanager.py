"""Resource Manager: each project (and its IAM policy), the organization (and its IAM policy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.gcp._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.gcp.iam_policy import IamPolicy
from scanner.models.gcp.resourcemanager import Organization, Project

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


def _policy(scope: GcpScope, kind: str, resource: str) -> dict[str, Any]:
    from google.protobuf.json_format import MessageToDict

    policy = scope.api.rm(kind, "get_iam_policy", resource=resource, options={"requested_policy_version": 3})
    return {"iam_policy": IamPolicy.from_api(MessageToDict(policy))}


@collector(
    "gcp.resourcemanager.projects",
    regional=True,
    permissions=["resourcemanager.projects.get"],
    facets={
        "iam_policy": facet(["resourcemanager.projects.getIamPolicy"], ["iam_policy"]),
    },
)
def projects(scope: GcpScope) -> list[Project]:
    project = scope.api.rm("projects", "get_project", name=f"projects/{scope.project}")
    fields, errors = read_facets(scope, {"iam_policy": lambda: _policy(scope, "projects", f"projects/{scope.project}")})
    return [
        Project(
            id=f"projects/{project.project_id}",
            name=project.project_id,
            region="global",
            account=project.project_id,
            number=project.name.split("/", 1)[1],
            parent=project.parent or None,
            errors=errors,
            **fields,
        )
    ]


@collector(
    "gcp.resourcemanager.organization",
    regional=False,
    organization=True,
    permissions=["resourcemanager.organizations.get"],
    facets={
        "iam_policy": facet(["resourcemanager.organizations.getIamPolicy"], ["iam_policy"]),
    },
)
def organization(scope: GcpScope) -> Organization:
    name = f"organizations/{scope.organization}"
    org = scope.api.rm("organizations", "get_organization", name=name)
    fields, errors = read_facets(scope, {"iam_policy": lambda: _policy(scope, "organizations", name)})
    return Organization(
        id=name,
        name=org.display_name or name,
        region="global",
        account=scope.account,
        display_name=org.display_name or None,
        directory_customer_id=org.directory_customer_id or None,
        errors=errors,
        **fields,
    )
