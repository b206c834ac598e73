"""Counts the botocore clients a run creates and the service models behind them (for the tests and
bench/clients_bench.py: an organization scan must not build a client, nor parse a model, per account).

While a census is open, every `botocore.session.Session.create_client` call is noted (service,
region, the session's loader) and every `botocore.model.ServiceModel` built is counted; the clients
are the real ones, only counted. Afterwards, each loader seen says which model files it parsed
(its cache holds one entry per file read: botocore reads a file once per loader).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.model
import botocore.session


@dataclass
class ClientCensus:
    clients: Counter[tuple[str, str]] = field(default_factory=Counter)  # (service, region) -> clients created
    service_models_built: int = 0  # ServiceModel objects (one per client created)
    loaders: dict[int, Any] = field(default_factory=dict)  # id -> the botocore loaders the clients read through

    @property
    def clients_created(self) -> int:
        return sum(self.clients.values())

    def model_files_parsed(self) -> Counter[str]:
        """Service name -> service model files (service-2.json) parsed, over every loader seen."""
        parsed: Counter[str] = Counter()
        for loader in self.loaders.values():
            for key in list(getattr(loader, "_cache", {})):  # ("load_service_model", service, type, ...)
                if len(key) > 2 and key[0] == "load_service_model" and key[2] == "service-2":
                    parsed[key[1]] += 1
        return parsed

    def as_dict(self) -> dict[str, Any]:
        parsed = self.model_files_parsed()
        return {
            "clients_created": self.clients_created,
            "distinct_service_regions": len(self.clients),
            "service_models_built": self.service_models_built,
            "model_files_parsed": sum(parsed.values()),
            "services": len(parsed),
            "loaders": len(self.loaders),
        }


@contextmanager
def client_census() -> Iterator[ClientCensus]:
    census = ClientCensus()
    lock = threading.Lock()
    create_client = botocore.session.Session.create_client
    model_init = botocore.model.ServiceModel.__init__

    def counted_create_client(self: botocore.session.Session, service_name: str, region_name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        client = create_client(self, service_name, region_name, *args, **kwargs)
        loader = self.get_component("data_loader")
        with lock:
            census.clients[(service_name, client.meta.region_name)] += 1
            census.loaders[id(loader)] = loader
        return client

    def counted_model_init(self: botocore.model.ServiceModel, *args: Any, **kwargs: Any) -> None:
        model_init(self, *args, **kwargs)
        with lock:
            census.service_models_built += 1

    botocore.session.Session.create_client = counted_create_client  # type: ignore[method-assign]
    botocore.model.ServiceModel.__init__ = counted_model_init  # type: ignore[method-assign]
    try:
        yield census
    finally:
        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
        botocore.model.ServiceModel.__init__ = model_init  # type: ignore[method-assign]
