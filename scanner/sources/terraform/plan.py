"""`scan terraform --plan plan.json`: resource values from `terraform show -json PLANFILE`.

Each resource instance's values are the plan's `after` (modules expanded, variables resolved);
`after_unknown` marks what apply will decide. An unknown attribute the configuration does not set
is the provider's or the API's default, exactly as in the HCL scan (the adapters apply it); one the
configuration sets is unknown, and when its expression refers to another resource
(`aws_kms_key.data.arn`, from the configuration's `references`) it stays a reference to that
resource. File and lines come from the .tf files the plan was made from (the root module at PATH
and the module sources the configuration names).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scanner.errors import ConfigurationError
from scanner.sources.terraform.modules import ModuleDir, TfResource, _lines, is_local_source, load_dir, local_module_path
from scanner.sources.terraform.values import Computed, Unknown

_INDEX = re.compile(r"\[[^\]]*\]")


def _load(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError as exc:
        raise ConfigurationError(f"--plan {path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"--plan {path} is not a text file (give the JSON: terraform show -json PLANFILE > plan.json)") from exc
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"--plan {path} is not JSON (line {exc.lineno}: {exc.msg}); give `terraform show -json PLANFILE` output, not the binary plan"
        ) from exc
    except OSError as exc:
        raise ConfigurationError(f"--plan {path}: cannot read ({exc.strerror})") from exc
    if not isinstance(data, dict) or "planned_values" not in data or "configuration" not in data:
        raise ConfigurationError(f"--plan {path} is not a Terraform plan in JSON (no planned_values / configuration)")
    if data.get("errored"):
        raise ConfigurationError(f"--plan {path} is a plan that errored: fix the plan first")
    return data


def config_address(address: str) -> str:
    """module.a["x"].aws_s3_bucket.b[0] -> module.a.aws_s3_bucket.b"""
    return _INDEX.sub("", address)


def _module_of(address: str) -> str:
    parts = _INDEX.sub("", address).split(".")
    module = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        module.append(f"module.{parts[i + 1]}")
        i += 2
    return ".".join(module)


def _module_prefix(address: str) -> str:
    """The module instance part of a resource address, with its keys: module.a["x"]. or ""."""
    match = re.match(r"^((?:module\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?\.)*)", address)
    return match.group(1) if match else ""


class _Configuration:
    """The plan's configuration: module sources and each resource's expressions, by config address."""

    def __init__(self, root: Path, plan: dict[str, Any]) -> None:
        self.root = root
        self.expressions: dict[str, dict[str, Any]] = {}
        self.provider_keys: dict[str, str] = {}
        self.module_dirs: dict[str, str] = {"": "."}
        self.providers = plan["configuration"].get("provider_config", {})
        self.variables = {k: (v or {}).get("value") for k, v in (plan.get("variables") or {}).items()}
        self._walk(plan["configuration"].get("root_module", {}), "", ".")

    def _walk(self, module: dict[str, Any], prefix: str, directory: str) -> None:
        for resource in module.get("resources", []):
            address = f"{prefix}{resource['address']}" if not resource["address"].startswith(prefix) or not prefix else resource["address"]
            self.expressions[address] = resource.get("expressions", {})
            self.provider_keys[address] = resource.get("provider_config_key", "")
        for name, call in (module.get("module_calls") or {}).items():
            source = call.get("source")
            child_prefix = f"{prefix}module.{name}."
            child_dir = local_module_path(directory, source) if is_local_source(source) else None
            if child_dir is not None:
                self.module_dirs[child_prefix[:-1]] = child_dir
            self._walk(call.get("module") or {}, child_prefix, child_dir or "")

    def region(self, address: str) -> Any:
        key = self.provider_keys.get(config_address(address), "")
        provider = self.providers.get(key) or self.providers.get(key.split(":")[-1]) or {}
        expression = (provider.get("expressions") or {}).get("region") or {}
        if "constant_value" in expression:
            return expression["constant_value"]
        for reference in expression.get("references") or []:
            if reference.startswith("var.") and reference[4:] in self.variables:
                return self.variables[reference[4:]]
        return None


def _reference(expression: Any, prefix: str) -> tuple[str, str] | None:
    """The resource and attribute an expression refers to (`aws_kms_key.data.arn`), if any."""
    if not isinstance(expression, dict):
        return None
    for reference in expression.get("references") or []:
        parts = reference.split(".")
        if parts[0] in ("var", "local", "module", "each", "count", "path", "self", "terraform"):
            continue
        if parts[0] == "data":
            if len(parts) >= 4:
                return f"{prefix}{'.'.join(parts[:3])}", ".".join(parts[3:])
            continue
        if len(parts) >= 3:
            return f"{prefix}{'.'.join(parts[:2])}", ".".join(parts[2:])
    return None


def _is_block(expressions: Any) -> bool:
    """A block's expressions are keyed by argument name; an argument's have constant_value / references."""
    return isinstance(expressions, dict) and not ({"constant_value", "references"} & set(expressions))


def _overlay(after: Any, unknown: Any, expressions: Any, prefix: str, address: str, path: str, top: bool) -> Any:
    """after + after_unknown -> values with Unknown / Computed where apply decides. `top`: the
    enclosing expressions are a block's, so a missing expression means "not set in the configuration"."""
    if unknown is True:
        if top and expressions is None:
            return _DROP  # not set in the configuration: the provider's default, as in the HCL scan
        reference = _reference(expressions, prefix)
        if reference:
            return Computed((f"{reference[0]}.{reference[1]} is known only after apply",), reference[0], reference[1])
        return Unknown((f"{address}.{path} is known only after apply",))
    if isinstance(after, dict):
        out = {}
        keys = set(after) | (set(unknown) if isinstance(unknown, dict) else set())
        for key in sorted(keys):
            sub_expr = expressions.get(key) if isinstance(expressions, dict) else None
            value = _overlay(
                after.get(key),
                unknown.get(key) if isinstance(unknown, dict) else None,
                sub_expr,
                prefix,
                address,
                f"{path}.{key}" if path else key,
                _is_block(expressions),
            )
            if value is not _DROP:
                out[key] = value
        return out
    if isinstance(after, list) or isinstance(unknown, list):
        items = after if isinstance(after, list) else []
        unknowns = unknown if isinstance(unknown, list) else []
        exprs = expressions if isinstance(expressions, list) else []
        out_list = []
        for i in range(max(len(items), len(unknowns))):
            value = _overlay(
                items[i] if i < len(items) else None,
                unknowns[i] if i < len(unknowns) else None,
                exprs[i] if i < len(exprs) else (exprs[0] if exprs else None),
                prefix,
                address,
                f"{path}[{i}]",
                top,
            )
            out_list.append(None if value is _DROP else value)
        return out_list
    return after


_DROP = object()


def _more_known(value: Any) -> bool:
    from scanner.sources.terraform.functions import PartialJson

    return isinstance(value, (PartialJson, Computed)) or (not isinstance(value, Unknown) and value is not None)


def _hcl_values(root: Path, configuration: _Configuration) -> dict[str, dict[str, Any]]:
    """address -> values, from evaluating the root module's .tf files with the plan's variables."""
    from scanner.sources.terraform.loader import load_tree
    from scanner.sources.terraform.modules import ModuleInstance

    try:
        tree = load_tree([str(root)], {k: v for k, v in configuration.variables.items()}, workers=1)
    except ConfigurationError:
        return {}
    if "." not in tree.dirs:
        return {}
    instance = ModuleInstance(tree, tree.dirs["."], ".", "", None, tree.root_variables, None)
    try:
        return {r.address: r.values for r in instance.resources()}
    except RecursionError:
        return {}


def _nested_top(after: dict[str, Any], unknown: dict[str, Any], expressions: dict[str, Any], prefix: str, address: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in sorted(set(after) | set(unknown)):
        expression = expressions.get(key)
        value = _overlay(after.get(key), unknown.get(key), expression, prefix, address, key, True)
        if value is _DROP:
            continue
        if expression is None and after.get(key) is None and unknown.get(key) is None:
            continue  # unset in the configuration and null in the plan: absent, as in HCL
        out[key] = value
    return out


def from_plan(plan_path: str, paths: tuple[str, ...] | list[str]) -> Any:
    from scanner.sources.terraform.scan import Source, root_label

    plan = _load(plan_path)
    if len(paths) > 1:
        raise ConfigurationError("--plan takes one PATH: the root module the plan was made in")
    root = Path(paths[0] if paths else ".")
    if not root.is_dir():
        raise ConfigurationError(f"{root}: not a directory (give the root module the plan was made in)")
    configuration = _Configuration(root, plan)
    dirs: dict[str, ModuleDir] = {}
    warnings: list[str] = []

    def declared(address: str) -> Any:
        module = _module_of(address)
        directory = configuration.module_dirs.get(module)
        if directory is None:
            return None, None
        if directory not in dirs:
            full = (root / directory).resolve()
            dirs[directory] = load_dir(full, directory) if full.is_dir() else ModuleDir(directory)
        wanted = config_address(address)[len(module) + 1 if module else 0 :]
        for decl in dirs[directory].resources:
            if decl.key == wanted:
                return decl, dirs[directory]
        return None, dirs[directory]

    hcl = _hcl_values(root, configuration)
    changes = {c["address"]: c for c in plan.get("resource_changes", []) if c.get("mode") == "managed"}
    resources: list[TfResource] = []
    for address, change in sorted(changes.items()):
        actions = (change.get("change") or {}).get("actions") or []
        if actions == ["delete"]:
            continue
        body = change.get("change") or {}
        after = body.get("after") or {}
        unknown = body.get("after_unknown") or {}
        prefix = _module_prefix(address)
        expressions = configuration.expressions.get(config_address(address), {})
        values = _nested_top(after, unknown if isinstance(unknown, dict) else {}, expressions, prefix, address)
        evaluated = hcl.get(address)
        if evaluated is not None:
            for key, value in values.items():
                # the plan only says "unknown"; evaluating the same configuration with the plan's
                # variables keeps what is known of it (a policy's statements around an unknown ARN)
                if isinstance(value, Unknown) and key in evaluated and _more_known(evaluated[key]):
                    values[key] = evaluated[key]
        decl, module_dir = declared(address)
        if decl is None:
            warnings.append(f"{address}: its block was not found in {root} (give the root module the plan was made in): located at no line")
        region = configuration.region(address)
        resources.append(
            TfResource(
                address=address,
                config_address=config_address(address),
                module=prefix[:-1] if prefix else "",
                mode="managed",
                type=change["type"],
                name=change["name"],
                key=change.get("index"),
                values=values,
                root=".",
                file=decl.file if decl else (module_dir.path if module_dir else "."),
                start_line=decl.block.start_line if decl else 1,
                end_line=decl.block.end_line if decl else 1,
                lines=_lines(decl.block) if decl else {},
                provider={"region": region} if isinstance(region, str) else {},
            )
        )
    parse_errors = sorted(e for d in dirs.values() for e in d.errors)
    return Source(
        "terraform-plan",
        root_label(root),
        resources,
        ["."],
        parse_errors=parse_errors,
        warnings=warnings,
        root_files={".": sorted(dirs["."].files) if "." in dirs else sorted(p.name for p in root.glob("*.tf"))},
    )
