"""`trustscan.yaml`: scan configuration and waivers kept in the repository, as policy as code.

The file is validated against the model below, which is also its published JSON Schema
(`trustscan config schema`, committed as `docs/trustscan.schema.json`). Every error names the file
and the line it concerns, in one line, so the CLI can print it and exit 2.

```yaml
version: 1
providers:
  aws: {regions: [us-east-1, eu-west-1]}
checks:
  include: ["aws.*"]            # ids, aliases or globs (default: every check of the provider)
  exclude: [aws.rds.multi_az]
  severity: [critical, high, medium]
parameters:
  aws.logs.log_group_retention: {min_days: 365}
fail_on: high
timezone: Europe/Berlin          # where date-only waiver expiries end (default UTC)
waivers:
  - id: W-001
    check: aws.s3.bucket_access_logging
    resource: "arn:aws:s3:::legacy-*"
    justification: Legacy archive buckets are read-only; access is logged by CloudTrail data events.
    owner: platform-team@example.com
    ticket: SEC-123
    expires: 2026-03-31
```
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scanner.errors import ConfigurationError
from scanner.safe_load import clip, one_line

CONFIG_SCHEMA_VERSION = 1
DEFAULT_CONFIG_FILE = "trustscan.yaml"
SCHEMA_ID = "https://github.com/trustscan/trustscan/blob/main/docs/trustscan.schema.json"
FailOn = Literal["any", "critical", "high", "medium", "low", "info", "never"]
SeverityName = Literal["critical", "high", "medium", "low", "info"]
GLOB_CHARS = re.compile(r"[*?\[]")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderSettings(_Strict):
    """Where to scan. Each value becomes the provider's option (`--regions`, `--subscriptions`, ...)."""

    regions: list[str] | Literal["all"] | None = Field(None, description="AWS regions (default: every enabled region).")
    subscriptions: list[str] | None = Field(None, description="Azure subscription ids.")
    projects: list[str] | None = Field(None, description="GCP project ids.")
    profile: str | None = Field(None, description="AWS named profile.")


class CheckSelection(_Strict):
    include: list[str] | None = Field(None, description="Check ids, aliases or globs (aws.s3.*). Default: every check.")
    exclude: list[str] = Field(default_factory=list, description="Check ids or globs to leave out.")
    severity: list[SeverityName] | None = Field(None, description="Only checks of these severities.")


class Waiver(_Strict):
    """An accepted risk: which findings, why, who owns it, and until when."""

    id: str = Field("", description="Stable id quoted in reports (default: waivers[N], its position in the file).")
    check: str = Field(description="Check id or glob, e.g. aws.s3.bucket_access_logging or aws.s3.*.")
    resource: str = Field(description="Glob over the resource id (ARN) or name; '*' for every resource of the check.")
    account: str | None = Field(None, description="Account / subscription / project id or glob.")
    region: str | None = Field(None, description="Region glob (global resources have region 'global').")
    justification: str = Field(description="Why the risk is accepted (shown to auditors, in SARIF suppressions and the summary).")
    owner: str = Field(description="Who accepted the risk and renews or removes the waiver.")
    ticket: str | None = Field(None, description="Tracking ticket or URL.")
    expires: date = Field(description="Last day the waiver applies (YYYY-MM-DD), ending at midnight in `timezone`.")

    @field_validator("expires", mode="before")
    @classmethod
    def _date_only(cls, value: Any) -> Any:
        if isinstance(value, datetime) or (isinstance(value, str) and "T" in value):
            raise ValueError("must be a date (YYYY-MM-DD); the waiver ends at midnight after that day in `timezone`")
        return value

    @field_validator("justification", "owner", "check", "resource")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    def matches(self, check_id: str, resource_id: str, resource_name: str, account: str, region: str) -> bool:
        return (
            fnmatchcase(check_id, self.check)
            and (fnmatchcase(resource_id, self.resource) or fnmatchcase(resource_name, self.resource))
            and (self.account is None or fnmatchcase(account, self.account))
            and (self.region is None or fnmatchcase(region, self.region))
        )

    def ends_at(self, zone: tzinfo) -> datetime:
        """The first instant the waiver no longer applies: midnight after `expires`, in `zone`."""
        return datetime.combine(self.expires + timedelta(days=1), time.min, tzinfo=zone)


class TrustscanConfig(_Strict):
    """trustscan.yaml: what to scan, which checks with which parameters, the gate, and the waivers."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="trustscan configuration", json_schema_extra={"$id": SCHEMA_ID})

    version: Literal[1] = Field(CONFIG_SCHEMA_VERSION, description="Configuration schema version.")
    providers: dict[Literal["aws", "azure", "gcp"], ProviderSettings] = Field(default_factory=dict)
    checks: CheckSelection = Field(default_factory=CheckSelection)
    parameters: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Check parameters: {check id: {name: value}} (see `trustscan checks show ID`)."
    )
    fail_on: FailOn | None = Field(None, description="Lowest severity of FAIL finding that fails the run (default any).")
    fail_on_errors: bool | None = Field(
        None,
        description="false: collection errors (ERROR findings) do not make the exit status 3; they stay in every output "
        "(default true; --fail-on-errors / --no-fail-on-errors win).",
    )
    timezone: str = Field("UTC", description="IANA time zone in which date-only waiver expiries end.")
    waivers: list[Waiver] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone_for(value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_waiver_ids(cls, data: Any) -> Any:
        waivers = data.get("waivers") if isinstance(data, dict) else None
        if isinstance(waivers, list):
            data = {
                **data,
                "waivers": [
                    {**w, "id": f"waivers[{i}]"} if isinstance(w, dict) and not w.get("id") else w for i, w in enumerate(waivers)
                ],
            }
        return data

    @model_validator(mode="after")
    def _unique_waiver_ids(self) -> TrustscanConfig:
        ids = [waiver.id for waiver in self.waivers]
        duplicate = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
        if duplicate is not None:
            raise ValueError(f"waiver id {clip(duplicate)} is used twice")
        return self

    @property
    def zone(self) -> tzinfo:
        return zone_for(self.timezone)


def zone_for(name: str) -> tzinfo:
    if name.upper() in ("UTC", "Z", "ETC/UTC"):
        return timezone.utc
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {clip(name)} (use an IANA name such as Europe/Berlin)") from exc


def config_schema() -> dict[str, Any]:
    """The published JSON Schema of trustscan.yaml."""
    schema = TrustscanConfig.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def config_schema_json() -> str:
    return json.dumps(config_schema(), indent=2) + "\n"


# -- loading -------------------------------------------------------------------------------------


def load_config(path: str | Path) -> TrustscanConfig:
    """Read and validate a trustscan.yaml; any problem is a one-line ConfigurationError with file:line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigurationError(f"config file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read config {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    return parse_config(text, str(path))


def parse_config(text: str, name: str = DEFAULT_CONFIG_FILE) -> TrustscanConfig:
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise ConfigurationError(f"{name}: nests lists or mappings too deeply to be a configuration") from None
    except (ValueError, OverflowError) as exc:  # PyYAML's date and int constructors: `expires: 2026-13-45`
        line, value = _rejected_scalar(text)
        raise ConfigurationError(f"{name}:{line}: {clip(value)} is not a valid value ({one_line(exc, 120)})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        raise ConfigurationError(f"{where}: malformed YAML: {problem}" + (f" ({context})" if context else "")) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigurationError(f"{name}:1: the configuration must be a mapping (version, providers, checks, waivers...)")
    try:
        return TrustscanConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(_explain(exc, text, name, data)) from None


REQUIRED_HINTS = {
    "justification": "every waiver needs a justification: why the risk is accepted",
    "expires": "every waiver needs an expiry date (YYYY-MM-DD): waivers must end",
    "owner": "every waiver needs an owner who renews or removes it",
    "check": "every waiver names the check id (or glob) it waives",
    "resource": "every waiver names a resource pattern ('*' for every resource of the check)",
}


def _explain(exc: ValidationError, text: str, name: str, data: Any) -> str:
    error = exc.errors()[0]
    loc = tuple(error.get("loc", ()))
    line = _line_of(text, loc)
    dotted = _dotted(loc)
    if error.get("type") == "missing" and loc and loc[-1] in REQUIRED_HINTS and loc[0] == "waivers":
        label = _waiver_label(data, loc)
        message = f"{label}: {REQUIRED_HINTS[str(loc[-1])]}"
    elif error.get("type") == "extra_forbidden":
        message = f"{dotted}: unknown setting"
    else:
        message = f"{dotted}: {error.get('msg', 'invalid').removeprefix('Value error, ')}"
    more = len(exc.errors()) - 1
    return f"{name}:{line}: {message}" + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")


def _rejected_scalar(text: str) -> tuple[int, str]:
    """The line and text of the scalar a constructor rejected: PyYAML does not say, so find the first
    plain scalar that fails to construct on its own."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.ScalarEvent) and event.implicit[0]:
                try:
                    yaml.safe_load(event.value)
                except (ValueError, OverflowError):
                    return event.start_mark.line + 1, event.value
                except yaml.YAMLError:
                    continue
    except (yaml.YAMLError, RecursionError):
        pass
    return 1, "a value"


def _waiver_label(data: Any, loc: tuple) -> str:
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    if index is None:
        return "waivers"
    try:
        waiver_id = data["waivers"][index].get("id")
    except (KeyError, IndexError, TypeError, AttributeError):
        waiver_id = None
    return f"waivers[{index}]" + (f" ({waiver_id})" if waiver_id else "")


def _dotted(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("literal[", "list[", "function-")):
            continue  # pydantic's union-branch labels
        else:
            out += ("." if out else "") + str(part)
    return out or "document"


def _line_of(text: str, loc: tuple) -> int:
    """The 1-based line of the deepest YAML node on the error's path (the parent of a missing key)."""
    try:
        node = yaml.compose(text)
    except (yaml.YAMLError, RecursionError):
        return 1
    line = 1 if node is None else node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((value for key, value in node.value if getattr(key, "value", None) == str(part)), None)
            if found is None:
                key_node = next((key for key, _ in node.value if getattr(key, "value", None) == str(part)), None)
                return key_node.start_mark.line + 1 if key_node is not None else line
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


# -- applying it to a command line ---------------------------------------------------------------


def is_glob(pattern: str) -> bool:
    return bool(GLOB_CHARS.search(pattern))


def resolve_checks(
    config: TrustscanConfig, provider: str | None, registry: dict[str, Any], name: str = DEFAULT_CONFIG_FILE
) -> list[str] | None:
    """The config's check selection for one provider (None: every provider, as a Terraform scan) as
    explicit ids (None: no selection in the file)."""
    selection = config.checks
    if selection.include is None and not selection.exclude:
        return None
    aliases = {alias: spec.id for spec in registry.values() for alias in spec.aliases}
    for pattern in [*(selection.include or []), *selection.exclude]:
        if not is_glob(pattern) and pattern not in registry and pattern not in aliases:
            raise ConfigurationError(f"{name}: checks names unknown check id {clip(pattern)} (see `trustscan checks list`)")
    ids = [cid for cid in registry if provider is None or cid.split(".", 1)[0] == provider]
    if selection.include is not None:
        wanted = [aliases.get(p, p) for p in selection.include]
        ids = [cid for cid in ids if any(fnmatchcase(cid, p) for p in wanted)]
    unwanted = [aliases.get(p, p) for p in selection.exclude]
    ids = [cid for cid in ids if not any(fnmatchcase(cid, p) for p in unwanted)]
    if not ids:
        raise ConfigurationError(f"{name}: the checks selection leaves no {provider or ''} check to run".replace("no  check", "no check"))
    return ids


def validate_references(config: TrustscanConfig, registry: dict[str, Any], name: str = DEFAULT_CONFIG_FILE) -> None:
    """Check ids and parameter names must exist: a waiver naming an unknown check is a typo, not a
    stale waiver, and a misspelt parameter would silently keep the default."""
    from scanner.registry import validate_params

    aliases = {alias for spec in registry.values() for alias in spec.aliases}
    for waiver in config.waivers:
        if not is_glob(waiver.check) and waiver.check not in registry and waiver.check not in aliases:
            raise ConfigurationError(f"{name}: waiver {waiver.id} names unknown check id {clip(waiver.check)}")
    for pattern in [*(config.checks.include or []), *config.checks.exclude]:
        if not is_glob(pattern):
            if pattern not in registry and pattern not in aliases:
                raise ConfigurationError(f"{name}: checks names unknown check id {clip(pattern)} (see `trustscan checks list`)")
        elif not any(fnmatchcase(check_id, pattern) for check_id in registry):
            raise ConfigurationError(f"{name}: checks pattern {clip(pattern)} matches no check (see `trustscan checks list`)")
    validate_params(registry, config.parameters, f"{name}: parameters")


def providers_in_scope(config: TrustscanConfig) -> list[str]:
    """The providers a file is meant for: those under `providers:` and those its check selection names."""
    named = set(config.providers)
    for pattern in config.checks.include or []:
        prefix = pattern.split(".", 1)[0]
        named.update(p for p in ("aws", "azure", "gcp") if fnmatchcase(p, prefix))
    return sorted(named)


def parameter_pairs(config: TrustscanConfig) -> tuple[str, ...]:
    """The file's check parameters as `--param CHECK.NAME=VALUE` strings (JSON values round-trip)."""
    return tuple(
        f"{check_id}.{key}={json.dumps(value, default=str)}"
        for check_id, values in config.parameters.items()
        for key, value in values.items()
    )
