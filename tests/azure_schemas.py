"""Azure response bodies held to the SDK models of the exact api-version they answer.

`OPERATIONS` names, for every ARM path the fake serves, the operation, the api-version the collector
calls and the SDK model of one item (list operations: of each element of `value`). `problems(model,
body)` walks a body against that model and lists every field the model does not know, every value of
the wrong JSON type, every value outside its enum (extensible enums included: a value the spec does
not list is a failure here), every unknown discriminator and every malformed date-time or duration.
An empty list means the body is one the real API could have sent.

Two model generations are read: msrest models (the multi-api packages: `_attribute_map`, flattened
`properties.x` keys, `_subtype_map`, enums found through the `__init__` annotations) and TypeSpec
models (`rest_field`s, type hints, `__mapping__` discriminators). Where no SDK ships the api-version we
call (Defender security contacts 2023-12-01-preview), a small msrest-style model transcribes the REST
spec's definitions (`SecurityContact20231201Preview` below).

The installed packages describe one api-version each (or one per `vYYYY_MM_DD` module); the test extra
pins them, and `sdk_api_version` lets a test prove that the SDK-called operations still use the
version their fixtures were written for.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import re
import sys
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

DURATION = re.compile(r"^-?P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
LIST_KEYS = {"value", "nextLink"}
# Enums the spec itself says are not exhaustive: VM sizes are listed by the sizes API, and the
# VirtualMachineSizeTypes enum is documented as deprecated and incomplete.
OPEN_ENUMS = {"VirtualMachineSizeTypes"}


# -- the operations the fake serves -------------------------------------------------------------------
@dataclass(frozen=True)
class Operation:
    name: str  # "networkSecurityGroups.listAll"
    path: str  # a regex over the ARM path (case-insensitive)
    model: str  # "package.module:Class" of one item
    api_version: str  # what the collector sends (SDK calls: the SDK client's default)
    listed: bool = False  # body is {"value": [item, ...], "nextLink"?}
    versions: tuple[tuple[str, str], ...] = ()  # other api-versions a collector may call, with their models

    def model_for(self, api_version: str | None) -> str:
        if api_version in (None, self.api_version):
            return self.model
        return dict(self.versions)[api_version]


def _version(module: str, constant: str) -> str:
    return getattr(importlib.import_module(module), constant)


@cache
def _operations_source(package: str) -> str:
    from pathlib import Path

    folder = Path(importlib.import_module(f"{package}.operations").__file__).parent
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.glob("_*operations*.py")))


@cache
def sdk_api_version(package: str, builder: str) -> str:
    """The api-version the installed SDK sends for one operation: the default in its request builder
    (`build_<group>_<method>_request`), which is where single-version packages keep it per operation."""
    source = _operations_source(package)
    start = source.index(f"def {builder}(")
    found = re.search(r'_params\.pop\("api-version", "([^"]+)"\)', source[start : start + 3000])
    assert found, f"{package}.{builder}: no api-version default"
    return found.group(1)


SUB = r"/subscriptions/[^/]+"
RG = SUB + r"/resourceGroups/[^/]+"


@cache
def operations() -> tuple[Operation, ...]:
    network = _version("scanner.collect.azure.network", "API_VERSION")
    vaults = _version("scanner.collect.azure.backup", "VAULTS_API")
    diagnostics = _version("scanner.collect.azure._diagnostics", "API_VERSION")
    contacts = _version("scanner.collect.azure.security", "CONTACTS_API")
    fallback = _version("scanner.collect.azure.security", "CONTACTS_FALLBACK_API")
    web = _version("scanner.collect.azure.appservice", "API_VERSION")
    mysql = _version("scanner.collect.azure.mysql", "API_VERSION")
    postgresql = _version("scanner.collect.azure.postgresql", "API_VERSION")
    workspaces = _version("scanner.collect.azure.loganalytics", "API_VERSION")
    roles = _version("scanner.collect.azure.authorization", "API_VERSION")
    management_groups = _version("scanner.collect.azure._client", "MANAGEMENT_GROUPS_API")

    def sdk(package: str, group: str, method: str) -> str:
        return sdk_api_version(f"azure.mgmt.{package}", f"build_{group}_{method}_request")

    monitor = "azure.mgmt.monitor.v2021_05_01_preview.models"
    return (
        Operation("subscriptions.list", r"/subscriptions", "azure.mgmt.resource.subscriptions.models:Subscription", sdk("resource.subscriptions", "subscriptions", "list"), listed=True),
        # --management-group: the subscriptions below a group (plain GET)
        Operation("managementGroups.getDescendants", r"/providers/Microsoft\.Management/managementGroups/[^/]+/descendants",
                  "azure.mgmt.managementgroups.models:DescendantInfo", management_groups, listed=True),
        # Storage (SDK)
        Operation("storageAccounts.list", SUB + r"/providers/Microsoft\.Storage/storageAccounts", "azure.mgmt.storage.models:StorageAccount", sdk("storage", "storage_accounts", "list"), listed=True),
        Operation("blobServices.getServiceProperties", RG + r"/providers/Microsoft\.Storage/storageAccounts/[^/]+/blobServices/default",
                  "azure.mgmt.storage.models:BlobServiceProperties", sdk("storage", "blob_services", "get_service_properties")),
        Operation("fileServices.getServiceProperties", RG + r"/providers/Microsoft\.Storage/storageAccounts/[^/]+/fileServices/default",
                  "azure.mgmt.storage.models:FileServiceProperties", sdk("storage", "file_services", "get_service_properties")),
        # Compute (SDK)
        Operation("virtualMachines.listAll", SUB + r"/providers/Microsoft\.Compute/virtualMachines", "azure.mgmt.compute.models:VirtualMachine", sdk("compute", "virtual_machines", "list_all"), listed=True),
        Operation("disks.list", SUB + r"/providers/Microsoft\.Compute/disks", "azure.mgmt.compute.models:Disk", sdk("compute", "disks", "list"), listed=True),
        # Key Vault (SDK)
        Operation("vaults.listBySubscription", SUB + r"/providers/Microsoft\.KeyVault/vaults", "azure.mgmt.keyvault.models:Vault", sdk("keyvault", "vaults", "list_by_subscription"), listed=True),
        Operation("keys.list", RG + r"/providers/Microsoft\.KeyVault/vaults/[^/]+/keys", "azure.mgmt.keyvault.models:Key", sdk("keyvault", "keys", "list"), listed=True),
        Operation("keys.get", RG + r"/providers/Microsoft\.KeyVault/vaults/[^/]+/keys/[^/]+", "azure.mgmt.keyvault.models:Key", sdk("keyvault", "keys", "get")),
        Operation("secrets.list", RG + r"/providers/Microsoft\.KeyVault/vaults/[^/]+/secrets", "azure.mgmt.keyvault.models:Secret", sdk("keyvault", "secrets", "list"), listed=True),
        # SQL (SDK)
        Operation("servers.list", SUB + r"/providers/Microsoft\.Sql/servers", "azure.mgmt.sql.models:Server", sdk("sql", "servers", "list"), listed=True),
        Operation("databases.listByServer", RG + r"/providers/Microsoft\.Sql/servers/[^/]+/databases", "azure.mgmt.sql.models:Database", sdk("sql", "databases", "list_by_server"), listed=True),
        Operation("encryptionProtectors.get", RG + r"/providers/Microsoft\.Sql/servers/[^/]+/encryptionProtector/current",
                  "azure.mgmt.sql.models:EncryptionProtector", sdk("sql", "encryption_protectors", "get")),
        Operation("serverBlobAuditingPolicies.get", RG + r"/providers/Microsoft\.Sql/servers/[^/]+/auditingSettings/default",
                  "azure.mgmt.sql.models:ServerBlobAuditingPolicy", sdk("sql", "server_blob_auditing_policies", "get")),
        Operation("serverSecurityAlertPolicies.get", RG + r"/providers/Microsoft\.Sql/servers/[^/]+/securityAlertPolicies/Default",
                  "azure.mgmt.sql.models:ServerSecurityAlertPolicy", sdk("sql", "server_security_alert_policies", "get")),
        Operation("transparentDataEncryptions.get", RG + r"/providers/Microsoft\.Sql/servers/[^/]+/databases/[^/]+/transparentDataEncryption/current",
                  "azure.mgmt.sql.models:LogicalDatabaseTransparentDataEncryption", sdk("sql", "transparent_data_encryptions", "get")),
        Operation("longTermRetentionPolicies.get", RG + r"/providers/Microsoft\.Sql/servers/[^/]+/databases/[^/]+/backupLongTermRetentionPolicies/default",
                  "azure.mgmt.sql.models:LongTermRetentionPolicy", sdk("sql", "long_term_retention_policies", "get")),
        # Backup: vaults (plain GETs), policies and protected items (SDK)
        Operation("vaults.listBySubscriptionId", SUB + r"/providers/Microsoft\.RecoveryServices/vaults", "azure.mgmt.recoveryservices.models:Vault", vaults, listed=True),
        Operation("vaults.get", RG + r"/providers/Microsoft\.RecoveryServices/vaults/[^/]+", "azure.mgmt.recoveryservices.models:Vault", vaults),
        Operation("backupPolicies.list", RG + r"/providers/Microsoft\.RecoveryServices/vaults/[^/]+/backupPolicies",
                  "azure.mgmt.recoveryservicesbackup.models:ProtectionPolicyResource", sdk("recoveryservicesbackup", "backup_policies", "list"), listed=True),
        Operation("backupProtectedItems.list", RG + r"/providers/Microsoft\.RecoveryServices/vaults/[^/]+/backupProtectedItems",
                  "azure.mgmt.recoveryservicesbackup.models:ProtectedItemResource", sdk("recoveryservicesbackup", "backup_protected_items", "list"), listed=True),
        # Network (plain GETs)
        Operation("networkSecurityGroups.listAll", SUB + r"/providers/Microsoft\.Network/networkSecurityGroups",
                  "azure.mgmt.network.models:NetworkSecurityGroup", network, listed=True),
        Operation("networkInterfaces.listAll", SUB + r"/providers/Microsoft\.Network/networkInterfaces", "azure.mgmt.network.models:NetworkInterface", network, listed=True),
        Operation("networkWatchers.listAll", SUB + r"/providers/Microsoft\.Network/networkWatchers", "azure.mgmt.network.models:NetworkWatcher", network, listed=True),
        Operation("flowLogs.list", RG + r"/providers/Microsoft\.Network/networkWatchers/[^/]+/flowLogs", "azure.mgmt.network.models:FlowLog", network, listed=True),
        # Monitor (plain GETs)
        Operation("activityLogAlerts.listBySubscription", SUB + r"/providers/Microsoft\.Insights/activityLogAlerts",
                  "azure.mgmt.monitor.v2020_10_01.models:ActivityLogAlertResource", "2020-10-01", listed=True),
        Operation("subscriptionDiagnosticSettings.list", SUB + r"/providers/Microsoft\.Insights/diagnosticSettings",
                  f"{monitor}:SubscriptionDiagnosticSettingsResource", diagnostics, listed=True),
        Operation("diagnosticSettings.list", RG + r"/providers/.+/providers/Microsoft\.Insights/diagnosticSettings",
                  f"{monitor}:DiagnosticSettingsResource", diagnostics, listed=True),
        # Defender for Cloud (plain GETs)
        Operation("pricings.list", SUB + r"/providers/Microsoft\.Security/pricings", "azure.mgmt.security.v2024_01_01.models:Pricing", "2024-01-01", listed=True),
        Operation("securityContacts.list", SUB + r"/providers/Microsoft\.Security/securityContacts", f"{__name__}:SecurityContact20231201Preview",
                  contacts, listed=True, versions=((fallback, "azure.mgmt.security.v2020_01_01_preview.models:SecurityContact"),)),
        # App Service, flexible servers, Log Analytics, RBAC (plain GETs)
        Operation("webApps.list", SUB + r"/providers/Microsoft\.Web/sites", "azure.mgmt.web.models:Site", web, listed=True),
        Operation("webApps.getConfiguration", RG + r"/providers/Microsoft\.Web/sites/[^/]+/config/web", "azure.mgmt.web.models:SiteConfigResource", web),
        Operation("mysql.flexibleServers.list", SUB + r"/providers/Microsoft\.DBforMySQL/flexibleServers", "azure.mgmt.mysqlflexibleservers.models:Server", mysql, listed=True),
        Operation("mysql.configurations.get", RG + r"/providers/Microsoft\.DBforMySQL/flexibleServers/[^/]+/configurations/[^/]+",
                  "azure.mgmt.mysqlflexibleservers.models:Configuration", mysql),
        Operation("postgresql.flexibleServers.list", SUB + r"/providers/Microsoft\.DBforPostgreSQL/flexibleServers",
                  "azure.mgmt.postgresqlflexibleservers.models:Server", postgresql, listed=True),
        Operation("postgresql.configurations.get", RG + r"/providers/Microsoft\.DBforPostgreSQL/flexibleServers/[^/]+/configurations/[^/]+",
                  "azure.mgmt.postgresqlflexibleservers.models:Configuration", postgresql),
        Operation("workspaces.list", SUB + r"/providers/Microsoft\.OperationalInsights/workspaces", "azure.mgmt.loganalytics.models:Workspace", workspaces, listed=True),
        Operation("roleDefinitions.list", SUB + r"/providers/Microsoft\.Authorization/roleDefinitions",
                  "azure.mgmt.authorization.v2022_04_01.models:RoleDefinition", roles, listed=True),
    )


def operation_for(path: str) -> Operation | None:
    """The operation serving an ARM path; the most specific pattern wins (a vault GET over the RG-wide one)."""
    matches = [op for op in operations() if re.fullmatch(op.path, path.rstrip("/"), re.IGNORECASE)]
    return max(matches, key=lambda op: len(op.path.replace("[^/]+", "").replace(".+", "")), default=None)


def load_model(reference: str) -> type:
    module, name = reference.split(":")
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:  # a venv made before the test extra gained a model package
        import pytest

        pytest.skip(f"{exc.name} is not installed: pip install -e '.[test]' (the test extra has it)")


def body_problems(operation: Operation, api_version: str | None, body: Any) -> list[str]:
    model = load_model(operation.model_for(api_version))
    if not operation.listed:
        return problems(model, body)
    if not isinstance(body, dict):
        return [f"$: a list response is an object, not {type(body).__name__}"]
    found = [f"$.{key}: not a field of a list response" for key in sorted(set(body) - LIST_KEYS)]
    if not isinstance(body.get("value"), list):
        return [*found, "$.value: a list response carries a value array"]
    for index, item in enumerate(body["value"]):
        found += problems(model, item, f"$.value[{index}]")
    return found


# -- walking a body against a model -------------------------------------------------------------------
def problems(model: type, body: Any, where: str = "$") -> list[str]:
    found: list[str] = []
    _check_model(model, body, where, found)
    return found


def _is_msrest(model: type) -> bool:
    return hasattr(model, "_attribute_map")


def _check_model(model: type, body: Any, where: str, found: list[str]) -> None:
    if not isinstance(body, dict):
        found.append(f"{where}: expected an object ({model.__name__}), got {type(body).__name__}")
        return
    if _is_msrest(model):
        _check_msrest(model, body, where, found)
    else:
        _check_typespec(model, body, where, found)


# msrest (multi-api packages) ---------------------------------------------------------------------------
def _models_module(model: type) -> Any:
    return sys.modules[model.__module__.rsplit(".", 1)[0]] if model.__module__.endswith("_py3") or "._" in model.__module__ else sys.modules[model.__module__]


def _msrest_subclass(model: type, body: dict, where: str, found: list[str]) -> type:
    models = _models_module(model)
    while getattr(model, "_subtype_map", None):
        attribute, mapping = next(iter(model._subtype_map.items()))
        key = model._attribute_map[attribute]["key"]
        value = body.get(key)
        if value is None:
            return model
        if value not in mapping:
            found.append(f"{where}.{key}: {value!r} is not one of {sorted(mapping)}")
            return model
        subclass = getattr(models, mapping[value])
        if subclass is model:
            return model
        model = subclass
    return model


def _enum_of(model: type, attribute: str) -> type[enum.Enum] | None:
    annotation = getattr(model.__init__, "__annotations__", {}).get(attribute)
    text = str(annotation) if annotation is not None else ""
    models = _models_module(model)
    for name in re.findall(r"_models\.(\w+)", text):
        candidate = getattr(models, name, None)
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


def _check_msrest(model: type, body: dict, where: str, found: list[str]) -> None:
    model = _msrest_subclass(model, body, where, found)
    tree: dict[str, Any] = {}
    open_keys = False
    for attribute, spec in model._attribute_map.items():
        if spec["key"] == "":
            open_keys = True  # additional_properties
            continue
        parts = [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", spec["key"])]
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = (spec["type"], _enum_of(model, attribute))
    _walk_msrest_tree(model, tree, body, where, found, open_keys)


def _walk_msrest_tree(model: type, tree: dict, body: dict, where: str, found: list[str], open_keys: bool) -> None:
    for key, value in body.items():
        here = f"{where}.{key}"
        if key not in tree:
            if not open_keys:
                found.append(f"{here}: not a field of {model.__name__}")
            continue
        node = tree[key]
        if isinstance(node, dict):
            if value is None:
                continue
            if not isinstance(value, dict):
                found.append(f"{here}: expected an object, got {type(value).__name__}")
                continue
            _walk_msrest_tree(model, node, value, here, found, False)
        else:
            _check_msrest_type(model, node[0], node[1], value, here, found)


def _check_msrest_type(model: type, kind: str, enum_type: type[enum.Enum] | None, value: Any, where: str, found: list[str]) -> None:
    if value is None:
        return
    if kind.startswith("[") and kind.endswith("]"):
        if not isinstance(value, list):
            found.append(f"{where}: expected an array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check_msrest_type(model, kind[1:-1], enum_type, item, f"{where}[{index}]", found)
        return
    if kind.startswith("{") and kind.endswith("}"):
        if not isinstance(value, dict):
            found.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        for key, item in value.items():
            _check_msrest_type(model, kind[1:-1], enum_type, item, f"{where}.{key}", found)
        return
    if _check_primitive(kind, value, where, found):
        if enum_type is not None and kind == "str":
            _check_enum(enum_type, value, where, found)
        return
    target = getattr(_models_module(model), kind, None)
    if isinstance(target, type) and issubclass(target, enum.Enum):
        _check_primitive("str", value, where, found) and _check_enum(target, value, where, found)
    elif isinstance(target, type):
        _check_model(target, value, where, found)
    else:
        found.append(f"{where}: the schema type {kind!r} is unknown to the validator")


PRIMITIVES = {
    "str": (str,), "int": (int,), "long": (int,), "float": (int, float), "decimal": (int, float), "bool": (bool,),
    "object": (object,), "bytearray": (str,), "base64": (str,), "unix-time": (int,),
}


def _check_primitive(kind: str, value: Any, where: str, found: list[str]) -> bool:
    """True when `kind` is a primitive (checked here); False for a model or enum name."""
    if kind in ("iso-8601", "rfc-1123", "date", "time"):
        if not isinstance(value, str) or (kind in ("iso-8601", "date") and not DATETIME.match(value)):
            found.append(f"{where}: {value!r} is not an ISO 8601 date-time")
        return True
    if kind == "duration":
        if not isinstance(value, str) or not DURATION.match(value):
            found.append(f"{where}: {value!r} is not an ISO 8601 duration")
        return True
    if kind not in PRIMITIVES:
        return False
    types = PRIMITIVES[kind]
    if (isinstance(value, bool) and bool not in types and object not in types) or not isinstance(value, types):
        found.append(f"{where}: expected {kind}, got {type(value).__name__} {value!r}")
    return True


def _check_enum(enum_type: type[enum.Enum], value: Any, where: str, found: list[str]) -> bool:
    allowed = [member.value for member in enum_type]
    if value not in allowed and enum_type.__name__ not in OPEN_ENUMS:
        found.append(f"{where}: {value!r} is not one of {enum_type.__name__} {allowed}")
    return True


# TypeSpec (single-api packages) ------------------------------------------------------------------------
@cache
def _typespec_fields(model: type) -> dict[str, tuple[Any, Any]]:
    """REST name -> (type hint, rest field) for every field of a TypeSpec model, inherited ones included."""
    fields: dict[str, tuple[Any, Any]] = {}
    for cls in reversed(model.__mro__):
        if not hasattr(cls, "__annotations__") or cls.__module__.endswith("model_base") or cls.__module__.startswith(("collections", "builtins", "typing")):
            continue
        module = sys.modules[cls.__module__]
        namespace = dict(vars(module))
        namespace["_models"] = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
        hints = typing.get_type_hints(cls, globalns=namespace)
        for attribute, field in vars(cls).items():
            if attribute.startswith("_") or not hasattr(field, "_type"):
                continue
            fields[field._rest_name_input or attribute] = (hints.get(attribute, Any), field)
    return fields


def _kinds(model: type) -> dict[str, type]:
    """Discriminator value -> class over the whole subclass tree: an intermediate kind (e.g.
    AzureIaaSVMProtectedItem) keeps its own children's values in its own `__mapping__`."""
    kinds: dict[str, type] = {}
    stack = [model]
    while stack:
        cls = stack.pop()
        for value, sub in (cls.__dict__.get("__mapping__") or {}).items():
            kinds.setdefault(value, sub)
        stack.extend(cls.__subclasses__())
    return kinds


def _typespec_subclass(model: type, body: dict, where: str, found: list[str]) -> type:
    seen: set[str] = set()
    while hasattr(model, "__mapping__"):
        discriminator = next(
            (f for f in vars(model).values() if hasattr(f, "_type") and getattr(f, "_is_discriminator", False) and f._rest_name_input not in seen), None
        )
        if discriminator is None:
            return model
        seen.add(discriminator._rest_name_input)
        value = body.get(discriminator._rest_name_input)
        if value is None:
            return model
        subclass = _kinds(model).get(value)
        if subclass is None:
            found.append(f"{where}.{discriminator._rest_name_input}: {value!r} is not a known {model.__name__} kind")
            return model
        if subclass is model:
            return model
        model = subclass
    return model


def _check_typespec(model: type, body: dict, where: str, found: list[str]) -> None:
    model = _typespec_subclass(model, body, where, found)
    fields = _typespec_fields(model)
    for key, value in body.items():
        here = f"{where}.{key}"
        if key not in fields:
            found.append(f"{here}: not a field of {model.__name__}")
            continue
        hint, field = fields[key]
        _check_hint(hint, value, here, found, getattr(field, "_format", None))


def _check_hint(hint: Any, value: Any, where: str, found: list[str], wire_format: str | None = None) -> None:  # noqa: C901 - one branch per kind of hint
    """`wire_format` is the rest field's encoding (unix-timestamp, rfc7231, base64url...)."""
    if value is None or hint is Any:
        return
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        options = [a for a in args if a is not type(None)]
        enums = [a for a in options if isinstance(a, type) and issubclass(a, enum.Enum)]
        if enums:  # Union[str, SomeEnum]: the value must be one the spec lists
            if _check_primitive("str", value, where, found):
                allowed = [m.value for e in enums for m in e]
                if value not in allowed and isinstance(value, str) and enums[0].__name__ not in OPEN_ENUMS:
                    found.append(f"{where}: {value!r} is not one of {enums[0].__name__} {allowed}")
            return
        if len(options) == 1:
            _check_hint(options[0], value, where, found, wire_format)
            return
        attempts = []
        for option in options:
            trial: list[str] = []
            _check_hint(option, value, where, trial, wire_format)
            if not trial:
                return
            attempts += trial
        found.append(f"{where}: matches none of {options}: {attempts[0]}")
        return
    if origin is typing.Literal:
        if value not in args:
            found.append(f"{where}: {value!r} is not one of {list(args)}")
        return
    if origin in (list, typing.List, tuple):  # noqa: UP006
        if not isinstance(value, list):
            found.append(f"{where}: expected an array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check_hint(args[0] if args else Any, item, f"{where}[{index}]", found, wire_format)
        return
    if origin in (dict, typing.Dict):  # noqa: UP006
        if not isinstance(value, dict):
            found.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        for key, item in value.items():
            _check_hint(args[1] if len(args) == 2 else Any, item, f"{where}.{key}", found, wire_format)
        return
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        _check_primitive("str", value, where, found) and _check_enum(hint, value, where, found)
        return
    simple = {str: "str", bool: "bool", int: "int", float: "float", bytes: "base64", datetime.datetime: "iso-8601",
              datetime.date: "date", datetime.time: "time", datetime.timedelta: "duration"}
    if hint in (datetime.datetime, datetime.date) and wire_format == "unix-timestamp":
        _check_primitive("unix-time", value, where, found)
        return
    if hint in (datetime.datetime, datetime.date) and wire_format == "rfc7231":
        _check_primitive("str", value, where, found)
        return
    if hint in simple:
        _check_primitive(simple[hint], value, where, found)
        return
    if isinstance(hint, type):
        _check_model(hint, value, where, found)
        return
    found.append(f"{where}: the type hint {hint!r} is unknown to the validator")


# -- the one api-version no SDK ships: Defender security contacts 2023-12-01-preview --------------------
# Transcribed from specification/security/resource-manager/Microsoft.Security/preview/2023-12-01-preview/
# securityContacts.json (definitions SecurityContact, SecurityContactProperties, NotificationsSource and its
# Alert / AttackPath kinds, MinimalSeverity, MinimalRiskLevel, SecurityContactRole), in the msrest form.
class _ContactState(str, enum.Enum):
    ON = "On"
    OFF = "Off"


class _MinimalSeverity(str, enum.Enum):
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class _MinimalRiskLevel(str, enum.Enum):
    CRITICAL = "Critical"
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class _SecurityContactRole(str, enum.Enum):
    ACCOUNT_ADMIN = "AccountAdmin"
    SERVICE_ADMIN = "ServiceAdmin"
    OWNER = "Owner"
    CONTRIBUTOR = "Contributor"


class _SourceType(str, enum.Enum):
    ALERT = "Alert"
    ATTACK_PATH = "AttackPath"


class SecurityContact20231201Preview:
    _attribute_map = {
        "id": {"key": "id", "type": "str"},
        "name": {"key": "name", "type": "str"},
        "type": {"key": "type", "type": "str"},
        "emails": {"key": "properties.emails", "type": "str"},
        "phone": {"key": "properties.phone", "type": "str"},
        "is_enabled": {"key": "properties.isEnabled", "type": "bool"},
        "notifications_sources": {"key": "properties.notificationsSources", "type": "[NotificationsSource20231201Preview]"},
        "notifications_by_role": {"key": "properties.notificationsByRole", "type": "NotificationsByRole20231201Preview"},
    }


class NotificationsByRole20231201Preview:
    _attribute_map = {"state": {"key": "state", "type": "_ContactState"}, "roles": {"key": "roles", "type": "[_SecurityContactRole]"}}


class NotificationsSource20231201Preview:
    _attribute_map = {"source_type": {"key": "sourceType", "type": "_SourceType"}}
    _subtype_map = {"source_type": {"Alert": "NotificationsSourceAlert20231201Preview", "AttackPath": "NotificationsSourceAttackPath20231201Preview"}}


class NotificationsSourceAlert20231201Preview(NotificationsSource20231201Preview):
    _attribute_map = {"source_type": {"key": "sourceType", "type": "_SourceType"}, "minimal_severity": {"key": "minimalSeverity", "type": "_MinimalSeverity"}}
    _subtype_map: dict = {}


class NotificationsSourceAttackPath20231201Preview(NotificationsSource20231201Preview):
    _attribute_map = {"source_type": {"key": "sourceType", "type": "_SourceType"}, "minimal_risk_level": {"key": "minimalRiskLevel", "type": "_MinimalRiskLevel"}}
    _subtype_map: dict = {}


# -- Microsoft Graph ------------------------------------------------------------------------------------
# No Graph SDK model is installed: tests/graph_models.py transcribes the v1.0 types of the calls the Entra
# collector makes (tests/record_graph_models.py), and Graph bodies are walked against it here.
GRAPH_PREFIX = "/v1.0/"


def graph_root(path: str) -> str | None:
    from tests import graph_models

    return graph_models.ROOTS.get(path.rstrip("/"))


def graph_problems(path: str, body: Any) -> list[str]:
    """Every property of a Graph body that its v1.0 type does not declare, of the wrong JSON type, or
    outside its enum (flag enums: each comma-separated member). A list response is `value` plus
    `@odata.*` annotations."""
    from tests import graph_models

    root = graph_root(path)
    if root is None:
        return [f"{path}: no Graph type is known for this path: add it to ROOTS in tests/record_graph_models.py"]
    if not isinstance(body, dict):
        return [f"$: a Graph body is an object, not {type(body).__name__}"]
    found: list[str] = []
    if "value" in body:
        if not isinstance(body["value"], list):
            return ["$.value: a Graph list carries a value array"]
        found += [f"$.{key}: not a field of a list response" for key in sorted(body) if key != "value" and not key.startswith("@odata.")]
        for index, item in enumerate(body["value"]):
            _graph_walk(graph_models, root, item, f"$.value[{index}]", found)
    else:
        _graph_walk(graph_models, root, body, "$", found)
    return found


def _graph_walk(tables: Any, type_name: str, value: Any, where: str, found: list[str]) -> None:
    if value is None or type_name in ("any", "entity"):
        return
    if type_name in tables.ENUMS:
        allowed = tables.ENUMS[type_name]
        if not isinstance(value, str):
            found.append(f"{where}: expected a {type_name} string, got {type(value).__name__}")
        elif any(part.strip() not in allowed for part in value.split(",")):
            found.append(f"{where}: {value!r} is not one of {allowed}")
        return
    primitive = {"string": str, "boolean": bool, "number": (int, float)}.get(type_name)
    if primitive is not None:
        if not isinstance(value, primitive) or (type_name == "number" and isinstance(value, bool)):
            found.append(f"{where}: expected {type_name}, got {type(value).__name__}")
        return
    if not isinstance(value, dict):
        found.append(f"{where}: expected a {type_name} object, got {type(value).__name__}")
        return
    declared = value.get("@odata.type")
    if isinstance(declared, str):
        subtype = declared.removeprefix("#microsoft.graph.")
        subtype = subtype[:1].upper() + subtype[1:]
        if subtype != type_name and subtype not in tables.SUBTYPES.get(type_name, ()):
            found.append(f"{where}.@odata.type: {declared!r} is not {type_name} or a known subtype of it")
            return
        type_name = subtype
    fields = tables.MODELS[type_name]
    for key, item in value.items():
        if key.startswith("@odata.") or "@odata." in key:
            continue  # OData annotations (@odata.context, prop@odata.context)
        if key not in fields:
            found.append(f"{where}.{key}: not a field of {type_name}")
            continue
        inner, many = fields[key]
        if many:
            if item is None:
                continue
            if not isinstance(item, list):
                found.append(f"{where}.{key}: expected a list, got {type(item).__name__}")
                continue
            for index, element in enumerate(item):
                _graph_walk(tables, inner, element, f"{where}.{key}[{index}]", found)
        else:
            _graph_walk(tables, inner, item, f"{where}.{key}", found)
