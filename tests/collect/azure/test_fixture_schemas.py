"""Every Azure fixture body is a body the real API could send for the api-version the collector calls:
held to the installed azure-mgmt-* models of that version (see tests/azure_schemas.py)."""

from __future__ import annotations

import json

import pytest

from scanner.fakecloud.azure import scenario_dir
from scanner.fakecloud.server import load_scenario
from tests import azure_schemas
from tests.azure_fixtures import ARM_PREFIXES, GRAPH

ARM_PREFIX = "/subscriptions"


def _routes(scenario: str = "demo"):
    return load_scenario(scenario_dir(scenario), url="https://127.0.0.1:1", recent="2026-01-01T00:00:00.0000000Z")


def _arm_routes(scenario: str = "demo"):
    return [r for r in _routes(scenario) if r.path.lower().startswith(ARM_PREFIXES) and r.status < 300 and r.body is not None]


# Every bundled scenario: the demo tenant, and the management-group tree --management-group reads.
SCENARIOS = ("demo", "management-groups")


@pytest.mark.parametrize("route", [r for s in SCENARIOS for r in _arm_routes(s)], ids=lambda r: r.path.split("/providers/")[-1][:80] + (f"@{r.query['api-version']}" if r.query.get("api-version") else ""))
def test_every_arm_fixture_matches_its_sdk_model(route):
    operation = azure_schemas.operation_for(route.path)
    assert operation is not None, f"no operation (and so no schema) is known for {route.path}: add it to tests/azure_schemas.py"
    version = route.query.get("api-version") or route.api_version
    assert version in (None, operation.api_version, *dict(operation.versions)), f"{route.path}: a body for {version}, the collector calls {operation.api_version}"
    assert azure_schemas.body_problems(operation, version, route.body) == []


def test_the_validator_fails_what_the_schema_does_not_know():
    """The validator is a gate, not a warning: unknown fields, wrong types and wrong enum values fail."""
    vault = azure_schemas.operation_for("/subscriptions/s/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v")
    good = {"id": "/x", "name": "v", "location": "westeurope", "properties": {"provisioningState": "Succeeded",
            "securitySettings": {"softDeleteSettings": {"softDeleteState": "Enabled", "softDeleteRetentionPeriodInDays": 14}}}}
    assert azure_schemas.body_problems(vault, None, good) == []
    bad = json.loads(json.dumps(good))
    bad["properties"]["securitySettings"]["softDeleteSettings"].update(softDeleteState="On", softDeleteRetentionPeriodInDays="14")
    bad["properties"]["softDelete"] = True
    found = azure_schemas.body_problems(vault, None, bad)
    assert len(found) == 3, found
    assert any("'On' is not one of" in p for p in found) and any("expected int" in p for p in found) and any("softDelete: not a field" in p for p in found)
    # msrest (multi-api) models: flattened properties, enums from annotations, discriminators.
    alerts = azure_schemas.operation_for("/subscriptions/s/providers/Microsoft.Insights/activityLogAlerts")
    rule = {"id": "/a", "name": "a", "properties": {"condition": {"allOf": [{"field": "operationName", "containsAll": ["x"]}]}, "enabled": "yes"}}
    found = azure_schemas.body_problems(alerts, None, {"value": [rule]})
    assert any("containsAll: not a field" in p for p in found) and any("expected bool" in p for p in found), found
    contacts = azure_schemas.operation_for("/subscriptions/s/providers/Microsoft.Security/securityContacts")
    contact = {"id": "/c", "name": "default", "properties": {"isEnabled": True, "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "Critical"}]}}
    assert any("'Critical' is not one of" in p for p in azure_schemas.body_problems(contacts, None, {"value": [contact]}))
    descendants = azure_schemas.operation_for("/providers/Microsoft.Management/managementGroups/mg/descendants")
    child = {"id": "/subscriptions/s", "name": "s", "type": "Microsoft.Management/managementGroups/subscriptions",
             "properties": {"displayName": "S", "parent": {"id": "/providers/Microsoft.Management/managementGroups/mg"}}}
    assert azure_schemas.body_problems(descendants, None, {"value": [child]}) == []
    child["properties"]["state"] = "Active"  # the descendants API gives no state (the subscription list does)
    assert any("state: not a field" in p for p in azure_schemas.body_problems(descendants, None, {"value": [child]}))
    legacy = {"id": "/c", "name": "default", "properties": {"isEnabled": True}}
    assert any("isEnabled: not a field" in p for p in azure_schemas.body_problems(contacts, "2020-01-01-preview", {"value": [legacy]}))


def test_sdk_called_operations_use_the_api_version_their_fixtures_were_written_for(azure):
    """A whole-tenant scan: every ARM request carries the api-version of the fixture that answers it (a
    newer SDK that calls another version must not pass on fixtures of the old one)."""
    from scanner.registry import load_checks, select_checks

    checks = [c.id for c in select_checks(load_checks(), provider="azure")]
    azure.scan(*checks, subscriptions=None)  # None: the subscription list is read too
    seen = set()
    for request in azure.cloud.requests:
        if not request.path.lower().startswith(ARM_PREFIX):
            continue
        route = next(r for r in azure.cloud.routes if r.matches(request.method, request.path, request.query))
        operation = azure_schemas.operation_for(route.path)
        assert operation is not None, request.path
        expected = route.query.get("api-version") or operation.api_version
        assert request.query.get("api-version") == expected, f"{request.path}: called with {request.query.get('api-version')}, fixture is for {expected}"
        seen.add(route.path.lower())
    unused = sorted(r.path for r in _arm_routes() if r.path.lower() not in seen and not r.query)
    assert unused == [], f"fixtures no scan reads: {unused}"


# Graph v1.0 enum values of the fields the Entra collector reads (Microsoft Graph v1.0 reference:
# conditionalAccessPolicy, conditionalAccessGrantControls, conditionalAccessConditionSet,
# userRegistrationDetails).
GRAPH_ENUMS = {
    "state": {"enabled", "disabled", "enabledForReportingButNotEnforced"},
    "operator": {"AND", "OR"},
    "builtInControls": {"block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication",
                        "passwordChange", "unknownFutureValue"},
    "clientAppTypes": {"all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other", "unknownFutureValue"},
    "userType": {"member", "guest", "unknownFutureValue"},
}


def _graph_enum_problems(value, where: str) -> list[str]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            allowed = GRAPH_ENUMS.get(key)
            if allowed and isinstance(item, str) and item not in allowed:
                found.append(f"{where}.{key}: {item!r} is not one of {sorted(allowed)}")
            elif allowed and isinstance(item, list):
                found += [f"{where}.{key}: {v!r} is not one of {sorted(allowed)}" for v in item if v not in allowed]
            else:
                found += _graph_enum_problems(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _graph_enum_problems(item, f"{where}[{index}]")
    return found


def test_graph_fixtures_are_odata_shaped():
    """Microsoft Graph has no SDK model installed (msgraph-sdk is ~390 MB and not a dependency), so this is
    the limit of what is checked: the OData envelope (a list carries `value` and only @odata.* beside it,
    every item is an object with an id), the @odata.context naming the path that was asked for, and the
    enum values of the fields the collector reads."""
    routes = [r for r in _routes() if r.path.startswith(GRAPH) and r.body is not None]
    assert routes
    for route in routes:
        body = route.body
        assert isinstance(body, dict), route.path
        context = f"https://graph.microsoft.com/v1.0/$metadata#{route.path.removeprefix(GRAPH + '/')}"
        if route.paging:
            assert set(body) <= {"@odata.context", "@odata.nextLink", "value"}, (route.path, sorted(body))
            assert body.get("@odata.context") == context, route.path
            assert isinstance(body["value"], list) and all(isinstance(item, dict) and item.get("id") for item in body["value"]), route.path
        else:
            assert body.get("@odata.context") == f"{context}/$entity", route.path
            assert body.get("id"), route.path
        assert _graph_enum_problems(body, "$") == [], route.path


@pytest.mark.parametrize("route", [r for s in SCENARIOS for r in _routes(s) if r.path.startswith(GRAPH) and r.status < 300 and r.body is not None],
                         ids=lambda r: r.path.removeprefix(GRAPH))
def test_every_graph_fixture_matches_its_v1_type(route):
    """Graph bodies held to the v1.0 types (tests/graph_models.py, transcribed from Microsoft's v1.0
    typings): a beta-only property on a v1.0 path, a misspelt one or a wrong type fails."""
    assert azure_schemas.graph_problems(route.path, route.body) == []


def test_the_graph_validator_fails_what_v1_does_not_know():
    path = "/v1.0/policies/authorizationPolicy"
    good = {"id": "authorizationPolicy", "allowInvitesFrom": "everyone", "guestUserRoleId": None,
            "defaultUserRolePermissions": {"allowedToCreateApps": False, "permissionGrantPoliciesAssigned": []}}
    assert azure_schemas.graph_problems(path, good) == []
    bad = {**good, "allowInvitesFrom": "anyone", "blockMsolPowerShell": "no",
           "permissionGrantPolicyIdsAssignedToDefaultUserRole": []}  # beta only
    found = azure_schemas.graph_problems(path, bad)
    assert len(found) == 3, found
    policies = "/v1.0/identity/conditionalAccess/policies"
    guests = {"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
              "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "enumerated", "members": ["t"]}}
    policy = {"id": "p", "state": "enabled", "conditions": {"users": {"includeGuestsOrExternalUsers": guests}}}
    assert azure_schemas.graph_problems(policies, {"value": [policy]}) == []  # flag enums, a subtype by @odata.type
    guests["guestOrExternalUserTypes"] = "internalGuest,everyone"
    assert any("'internalGuest,everyone' is not one of" in p for p in azure_schemas.graph_problems(policies, {"value": [policy]}))
    assert azure_schemas.graph_problems("/v1.0/users", {"value": []}) == [
        "/v1.0/users: no Graph type is known for this path: add it to ROOTS in tests/record_graph_models.py"]


def test_a_body_a_test_adds_is_held_to_the_same_schema(azure):
    from tests.azure_fixtures import DEV

    path = f"/subscriptions/{DEV}/providers/Microsoft.Network/networkSecurityGroups"
    with pytest.raises(AssertionError, match="securityRulez: not a field"):
        azure.body(path, {"value": [{"id": f"{path}/nsg", "name": "nsg", "properties": {"securityRulez": []}}]})
    with pytest.raises(AssertionError, match="no schema is known"):
        azure.body(f"/subscriptions/{DEV}/providers/Microsoft.Cdn/profiles", {"value": []})
    with pytest.raises(AssertionError, match="isMfaRegisterd: not a field of UserRegistrationDetails"):
        azure.body(f"{GRAPH}/reports/authenticationMethods/userRegistrationDetails", {"value": [{"id": "u", "isMfaRegisterd": True}]})
