"""GCP: Application Default Credentials, every active project under an organization or folder (or a
list of projects), the package's fake server for the demo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

NAME = "gcp"
SCAN_HELP = (
    "Scan GCP with Application Default Credentials (gcloud ADC, service-account key, workload identity "
    "federation, metadata server): every active project under --organization / --folder, or --projects."
)
OPTIONS = [
    click.option("--projects", metavar="P1,P2|all", help="Project ids to scan (default with --organization/--folder: all)."),
    click.option("--organization", metavar="ORG_ID", help="Organization id: scan its projects and its organization settings."),
    click.option("--folder", metavar="FOLDER_ID", help="Folder id: scan the projects under it (nested folders included)."),
    click.option("--admin-subject", metavar="EMAIL", help="Workspace admin to impersonate for the Admin SDK (domain-wide delegation)."),
    click.option("--endpoint-url", help="Send every API call here (the fake server); no credentials are sent."),
]

# Predefined roles that cover every read the checks make, and what each adds.
ROLES = {
    "roles/viewer": "project / folder / organization metadata, Compute, Cloud SQL, Storage bucket settings, DNS, Logging, Monitoring, BigQuery datasets",
    "roles/iam.securityReviewer": "every IAM policy (organization, projects, buckets, KMS keys), service accounts and key metadata",
    "roles/cloudasset.viewer": "Cloud Asset Inventory (optional fast path: not used by this version)",
    "roles/securitycenter.adminViewer": "Security Command Center sources at the organization (otherwise the SCC check is UNKNOWN)",
    "roles/cloudkms.viewer": "KMS key rings and keys (included in roles/viewer)",
}
GLOBAL_PERMISSIONS = ("resourcemanager.projects.list", "resourcemanager.folders.list", "resourcemanager.folders.get")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def open_collection(
    pool: Any,
    *,
    projects: str | None = None,
    organization: str | None = None,
    folder: str | None = None,
    admin_subject: str | None = None,
    endpoint_url: str | None = None,
    credentials: Any = None,
    retries: int = 5,
    backoff: float = 1.0,
) -> Any:
    from scanner.collect.gcp._client import GcpApi, GcpCollection

    if endpoint_url and credentials is None:
        from google.auth.credentials import AnonymousCredentials

        credentials = AnonymousCredentials()  # never send real tokens to a local fake
    api = GcpApi(pool, credentials=credentials, endpoint_url=endpoint_url, admin_subject=admin_subject, retries=retries, backoff=backoff)
    wanted = None if (projects or "all").strip().lower() == "all" else _split(projects)
    return GcpCollection(api, projects=wanted, organization=organization, folder=folder)


@contextmanager
def demo() -> Iterator[dict[str, Any]]:
    from scanner.demo.gcp import demo_options, demo_organization

    with demo_organization() as organization:
        yield demo_options(organization)


def permissions(checks: list[Any]) -> str:
    """The predefined roles to grant, then the exact IAM permissions the selected checks use."""
    from scanner.catalogue import required_permissions

    needed = sorted(set(required_permissions(checks)) | set(GLOBAL_PERMISSIONS))
    iam = [p for p in needed if not p.startswith("directory.")]
    lines = [
        "# Grant at the organization (or folder) so every project is readable:",
        *[f"#   {role:<34} {why}" for role, why in ROLES.items()],
        "# A custom role with exactly these permissions is the least-privilege alternative:",
        *iam,
    ]
    if any(p.startswith("directory.") for p in needed):
        lines += [
            "# 2-step verification (Admin SDK Directory API, scope admin.directory.user.readonly) needs a Workspace /",
            "# Cloud Identity admin role with the Users > Read privilege, or a service account with domain-wide",
            "# delegation and --admin-subject; without it the 2SV checks are UNKNOWN with the evidence to collect.",
        ]
    return "\n".join(lines)
