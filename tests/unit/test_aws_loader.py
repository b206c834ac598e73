"""The run's botocore loader (scanner/collect/aws/_loader.py) finds the same models as botocore's own,
without listing every service directory first."""

from __future__ import annotations

import json

import botocore.exceptions
import botocore.loaders
import botocore.session
import pytest

from scanner.collect.aws import _loader
from scanner.collect.aws._client import AwsApi
from scanner.engine.pool import WorkPool


def test_service_names_answer_as_botocores_list():
    ours, stock = _loader.Loader(), botocore.loaders.Loader()
    for type_name in ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2"):
        names = ours.list_available_services(type_name)
        listed = stock.list_available_services(type_name)
        for service in ("sts", "s3", "ec2", "iam", "sso-admin", "no-such-service", ""):
            assert (service in names) == (service in listed), (type_name, service)
        assert list(names) == listed and len(names) == len(listed)


def test_models_load_and_an_unknown_service_is_still_named():
    ours = _loader.Loader()
    assert ours.load_service_model("sts", "service-2") == botocore.loaders.Loader().load_service_model("sts", "service-2")
    with pytest.raises(botocore.exceptions.UnknownServiceError, match="sts"):  # the error lists the known services
        ours.load_service_model("no-such-service", "service-2")


def test_a_run_session_uses_it_and_keeps_aws_data_path(tmp_path, monkeypatch):
    """A model under AWS_DATA_PATH is found first, as botocore does."""
    model = tmp_path / "sts" / "2011-06-15"
    model.mkdir(parents=True)
    stock = botocore.loaders.Loader().load_service_model("sts", "service-2")
    (model / "service-2.json").write_text(json.dumps({**stock, "documentation": "from AWS_DATA_PATH"}))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    api = AwsApi(WorkPool(2), session=None)
    loader = api.data_loader()
    assert isinstance(loader, _loader.Loader)
    assert loader.load_service_model("sts", "service-2")["documentation"] == "from AWS_DATA_PATH"
    # a session given in (the demo's, a test's) keeps its own loader
    given = botocore.session.Session()
    assert not isinstance(AwsApi(WorkPool(2), session=given).data_loader(), _loader.Loader)
