"""Microsoft Entra ID sign-in for the fake cloud, and Azure fixture scenarios.

`identity_routes` answers what azure-identity's ClientSecretCredential asks when its `authority` is
the fake server (with `disable_instance_discovery=True`): the OpenID configuration of the tenant and
the token endpoint, which issues an unsigned JWT naming the tenant and the principal. `scenario_routes`
loads `fixtures/azure/<scenario>/routes.json` (see `load_routes`).
"""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.fakecloud.server import FakeCloud, RecordedRequest, Route, load_scenario, scenario_directory

CLIENT_ID = "00000000-0000-0000-0000-00000000c11e"
CLIENT_SECRET = "fakecloud-secret"  # noqa: S105 - the fake accepts any secret


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def identity_routes(cloud: FakeCloud, tenant: str, principal: str = CLIENT_ID) -> list[Route]:
    def openid(request: RecordedRequest) -> tuple[int, Any]:
        base = f"{cloud.url}/{tenant}"
        return 200, {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "tenant_region_scope": None,
        }

    def token(request: RecordedRequest) -> tuple[int, Any]:
        now = int(time.time())
        claims = {"tid": tenant, "oid": principal, "appid": principal, "iat": now, "nbf": now, "exp": now + 3600}
        jwt = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.fake"
        return 200, {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": jwt}

    return [
        Route("GET", "/{tenant}/v2.0/.well-known/openid-configuration", handler=openid),
        Route("POST", "/{tenant}/oauth2/v2.0/token", handler=token),
    ]


def scenario_dir(scenario: str) -> Path:
    """The packaged scenario `fixtures/azure/<scenario>`."""
    return Path(str(resources.files("fixtures").joinpath("azure", scenario)))


def scenario_routes(scenario: str, cloud: FakeCloud, now: datetime | None = None) -> list[Route]:
    """The scenario's routes (or those of `$TRUSTSCAN_FAKECLOUD_DIR`, see `scenario_directory`).
    `{{url}}` is the server's URL; `{{recent}}` a time ten hours before `now` (a fresh recovery point)."""
    now = now or datetime.now(timezone.utc)
    recent = (now - timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    return load_scenario(scenario_directory("azure", scenario_dir(scenario)), url=cloud.url, recent=recent)


def credential(cloud: FakeCloud, tenant: str) -> Any:
    """A real ClientSecretCredential that signs in at the fake server over its throwaway-CA TLS."""
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(
        tenant,
        CLIENT_ID,
        CLIENT_SECRET,
        authority=cloud.url,
        disable_instance_discovery=True,
        connection_verify=cloud.ca_path,
    )
