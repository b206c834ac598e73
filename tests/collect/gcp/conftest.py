"""The GCP fake-cloud fixtures (tests/checks/gcp/conftest.py) for the collection tests too."""

from tests.checks.gcp.conftest import gcp, gcp_cloud, gcp_routes  # noqa: F401 - pytest fixtures
