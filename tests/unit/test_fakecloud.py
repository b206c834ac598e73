"""The fake cloud server: routing, server-side paging in both styles, errors, TLS, request log."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest

from scanner.fakecloud.server import FakeCloud, Route


def get(url: str, context: ssl.SSLContext | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, context=context, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_routes_paging_and_errors_over_http():
    items = [{"id": i} for i in range(5)]
    routes = [
        Route("GET", "/subscriptions/{sub}/things", body={"value": items}, paging="value"),
        Route("GET", "/v1/projects/{p}/keys", body={"keys": items}, paging="keys", paging_style="google"),
        Route("GET", "/denied", status=403, body={"error": {"code": "AuthorizationFailed", "message": "no"}}),
    ]
    with FakeCloud(routes, page_size=2) as cloud:
        status, page = get(f"{cloud.url}/subscriptions/abc/things?api-version=2023-01-01")
        assert status == 200 and page["value"] == items[:2]
        seen = page["value"]
        while "nextLink" in page:
            status, page = get(page["nextLink"])
            seen += page["value"]
        assert seen == items
        status, page = get(f"{cloud.url}/v1/projects/p1/keys")
        assert page["keys"] == items[:2] and page["nextPageToken"] == "2"
        status, page = get(f"{cloud.url}/v1/projects/p1/keys?pageToken=4")
        assert page["keys"] == items[4:] and "nextPageToken" not in page
        assert get(f"{cloud.url}/denied")[0] == 403
        assert get(f"{cloud.url}/nowhere")[0] == 404
        assert [r.path for r in cloud.unmatched] == ["/nowhere"]
        assert cloud.calls("GET", "/things") == 3


def test_tls_with_a_throwaway_ca():
    pytest.importorskip("trustme")
    with FakeCloud([Route("GET", "/ok", body={"ok": True})], tls=True) as cloud:
        assert cloud.url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=cloud.ca_path)
        assert get(f"{cloud.url}/ok", context) == (200, {"ok": True})
        with pytest.raises(urllib.error.URLError):
            get(f"{cloud.url}/ok", ssl.create_default_context())  # not trusted without the CA


def test_later_routes_override_earlier_ones():
    with FakeCloud([Route("GET", "/x", body={"v": 1})]) as cloud:
        cloud.add(Route("GET", "/x", status=429, body={"error": {"code": "TooManyRequests"}}, headers={"Retry-After": "0"}))
        assert get(f"{cloud.url}/x")[0] == 429


def test_scenario_directory_from_the_environment(tmp_path, monkeypatch):
    from scanner.fakecloud.server import SCENARIO_ENV, load_scenario, scenario_directory

    packaged = tmp_path / "packaged"
    assert scenario_directory("azure", packaged) == packaged  # unset: the packaged scenario
    recorded = tmp_path / "recorded"
    (recorded / "gcp").mkdir(parents=True)
    (recorded / "routes.json").write_text(json.dumps([{"method": "GET", "path": "/a", "body_file": "a.json"}]))
    (recorded / "a.json").write_text('{"url": "{{url}}"}')
    (recorded / "gcp" / "compute.json").write_text(json.dumps([{"method": "GET", "path": "/b", "body": {}}]))
    (recorded / "gcp" / "iam.json").write_text(json.dumps([{"method": "GET", "path": "/c", "body": {}}]))
    monkeypatch.setenv(SCENARIO_ENV, str(recorded))
    assert scenario_directory("azure", packaged) == recorded
    assert scenario_directory("gcp", packaged) == recorded / "gcp"  # one directory, a subdirectory per provider
    [route] = load_scenario(recorded, url="https://127.0.0.1:1")
    assert route.path == "/a" and route.body == {"url": "https://127.0.0.1:1"}
    assert [r.path for r in load_scenario(recorded / "gcp")] == ["/b", "/c"]  # no routes.json: every *.json


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (None, "no such directory"),
        ({}, "holds no routes.json"),
        ({"routes.json": "[{"}, "is not valid JSON"),
        ({"routes.json": '{"method": "GET"}'}, "must hold a JSON list"),
        ({"routes.json": '[{"method": "GET", "path": "/x", "colour": "red"}]'}, "route 1 in"),
        ({"routes.json": '[{"method": "GET", "path": "/x", "body_file": "missing.json"}]'}, "cannot read"),
    ],
)
def test_a_bad_scenario_directory_is_a_one_line_configuration_error(tmp_path, monkeypatch, files, message):
    from scanner.errors import ConfigurationError
    from scanner.fakecloud.server import SCENARIO_ENV, load_scenario, scenario_directory

    directory = tmp_path / "recorded"
    if files is not None:
        directory.mkdir()
        for name, text in files.items():
            (directory / name).write_text(text)
    monkeypatch.setenv(SCENARIO_ENV, str(directory))
    with pytest.raises(ConfigurationError, match=message) as raised:
        load_scenario(scenario_directory("azure", tmp_path / "packaged"))
    assert "\n" not in str(raised.value)
