"""botocore's data loader, without a walk of every service directory before each first model load.

Before it loads a model, botocore's Loader checks the service name against every service it ships:
it lists the ~445 directories of its data path and each one's API versions, once per model type
(service-2 and endpoint-rule-set-1 for the first client, paginators-1 for the first paginated call):
~900 directory reads and ~1,800 stats each time, 20-60 ms on these machines, 0.1 s or more of every
scan's start-up, most of it before the first request. This loader answers the same question for the
one service asked: whether it has API versions holding that model type, which is what the walk finds
out for it and what the load reads next anyway. Whatever iterates the list (the error for an unknown
service names them all) still gets botocore's full walk.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import botocore.loaders
from botocore.exceptions import DataNotFoundError


class ServiceNames:
    """The services with a model of `type_name`, looked up one name at a time."""

    def __init__(self, loader: botocore.loaders.Loader, type_name: str) -> None:
        self._loader, self._type_name = loader, type_name

    def __contains__(self, service_name: object) -> bool:
        if not isinstance(service_name, str):
            return False
        try:
            return bool(self._loader.list_api_versions(service_name, self._type_name))
        except DataNotFoundError:
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self.everything())

    def __len__(self) -> int:
        return len(self.everything())

    def everything(self) -> list[str]:
        return botocore.loaders.Loader.list_available_services(self._loader, self._type_name)


class Loader(botocore.loaders.Loader):
    def list_available_services(self, type_name: str) -> Any:
        return ServiceNames(self, type_name)


def use_on(session: Any) -> None:
    """Give a botocore session (one trustscan built, whose loader is not made yet) this loader, over
    the same search paths botocore would use (AWS_DATA_PATH / data_path first)."""
    data_path = session.get_config_variable("data_path")
    extra = [os.path.expanduser(os.path.expandvars(path)) for path in data_path.split(os.pathsep)] if data_path else []
    session.register_component("data_loader", Loader(extra_search_paths=extra))
