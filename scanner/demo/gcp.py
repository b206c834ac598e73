"""The GCP demo: the package's fake cloud server on a free loopback port, serving the recorded-shape
REST fixtures of `fixtures/gcp/demo/` (an organization with three projects and a realistic mix of
compliant and non-compliant resources). The real google-cloud-resource-manager and
google-api-python-client clients scan it over HTTP exactly as they would scan Google Cloud.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from scanner.fakecloud.server import FakeCloud, Route, load_scenario, scenario_directory

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gcp"
DEMO_ORGANIZATION = "104729"
DEMO_PROJECTS = ("acme-data", "acme-prod", "acme-sandbox")
# Fixture timestamps are written relative to the run ("{{days_ago_30}}") so age-based verdicts do
# not drift as the calendar moves.
AGES = (1, 5, 30, 60, 200, 400)


def substitutions(now: datetime | None = None) -> dict[str, str]:
    now = now or datetime.now(timezone.utc)
    return {f"days_ago_{d}": (now - timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%S.000Z") for d in AGES}


def scenario_routes(scenario: str = "demo", now: datetime | None = None) -> list[Route]:
    """Every route file of the scenario (or of `$TRUSTSCAN_FAKECLOUD_DIR`, see `scenario_directory`)."""
    return load_scenario(scenario_directory("gcp", FIXTURES / scenario), **substitutions(now))


def error_body(kind: str, **values: str) -> dict:
    """A Google error body from fixtures/gcp/errors/<kind>.json: permission_denied, service_disabled,
    resource_exhausted; `values` fill its {{placeholders}} (service, title, number, permission, resource)."""
    import json

    text = (FIXTURES / "errors" / f"{kind}.json").read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return json.loads(text)


@dataclass(frozen=True)
class DemoOrganization:
    endpoint_url: str
    organization: str
    cloud: FakeCloud


@contextmanager
def demo_organization(page_size: int = 0) -> Iterator[DemoOrganization]:
    with FakeCloud(scenario_routes(), page_size=page_size) as cloud:
        yield DemoOrganization(endpoint_url=cloud.url, organization=DEMO_ORGANIZATION, cloud=cloud)


def demo_options(demo: DemoOrganization) -> dict[str, Any]:
    from google.auth.credentials import AnonymousCredentials

    return {"organization": demo.organization, "endpoint_url": demo.endpoint_url, "credentials": AnonymousCredentials()}
