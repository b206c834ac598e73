"""A Terraform configuration tree: module directories, their instances, and the resources they declare.

Evaluation is lazy and memoised, as Terraform's graph walk would be: a resource's attribute is
evaluated when an adapter (or another expression) asks for it, variables resolve from the module
call's inputs (or --var, .tfvars and defaults at the root), locals and outputs on first use. A
cycle or an expression Terraform would reject leaves that value unknown with the reason.

Directories under the scanned paths that no other scanned module calls are root modules; local
module sources (`./`, `../`) are followed with their inputs; remote sources are listed as not
scanned.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from scanner.sources.terraform.expressions import Lazy, Scope, evaluate, materialize
from scanner.sources.terraform.hcl import Attribute, Block, ParsedFile, parse_attributes, parse_expression
from scanner.sources.terraform.values import Computed, EvaluationError, Unknown, to_string, unknown

SKIP_DIRS = {".terraform", ".git", "node_modules", ".terragrunt-cache"}
META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}


# -- declarations (what the files say) ------------------------------------------------------------


@dataclass
class Variable:
    name: str
    default: Attribute | None
    type_expr: tuple | None
    file: str
    line: int
    sensitive: bool = False


@dataclass
class ResourceDecl:
    mode: str  # managed | data
    type: str
    name: str
    block: Block
    file: str

    @cached_property
    def key(self) -> str:
        return f"{self.type}.{self.name}" if self.mode == "managed" else f"data.{self.type}.{self.name}"


@dataclass
class ModuleCall:
    name: str
    source: str | None
    block: Block
    file: str


@dataclass
class ModuleDir:
    path: str  # relative to the scanned root, posix ("." for the root itself)
    files: list[str] = field(default_factory=list)
    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, tuple[Attribute, str]] = field(default_factory=dict)
    resources: list[ResourceDecl] = field(default_factory=list)
    calls: list[ModuleCall] = field(default_factory=list)
    outputs: dict[str, tuple[Attribute, str]] = field(default_factory=dict)
    providers: list[tuple[str, str | None, Block, str]] = field(default_factory=list)  # name, alias, block, file
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, message

    def add(self, parsed: ParsedFile) -> None:
        self.files.append(parsed.path)
        if parsed.error:
            self.errors.append((parsed.path, parsed.error[0], parsed.error[1]))
            return
        for block in parsed.blocks:
            self._declare(block, parsed.path)

    def _declare(self, block: Block, file: str) -> None:
        kind, labels = block.type, block.labels
        if kind == "resource" and len(labels) == 2:
            self.resources.append(ResourceDecl("managed", labels[0], labels[1], block, file))
        elif kind == "data" and len(labels) == 2:
            self.resources.append(ResourceDecl("data", labels[0], labels[1], block, file))
        elif kind == "variable" and len(labels) == 1:
            sensitive = block.attributes.get("sensitive")
            self.variables[labels[0]] = Variable(
                labels[0],
                block.attributes.get("default"),
                block.attributes["type"].expr if "type" in block.attributes else None,
                file,
                block.start_line,
                bool(sensitive and sensitive.expr == ("lit", True)),
            )
        elif kind == "locals":
            for name, attribute in block.attributes.items():
                self.locals[name] = (attribute, file)
        elif kind == "module" and len(labels) == 1:
            source = block.attributes.get("source")
            text = source.expr[1] if source is not None and source.expr[0] == "lit" and isinstance(source.expr[1], str) else None
            self.calls.append(ModuleCall(labels[0], text, block, file))
        elif kind == "output" and len(labels) == 1 and "value" in block.attributes:
            self.outputs[labels[0]] = (block.attributes["value"], file)
        elif kind == "provider" and len(labels) == 1:
            alias = block.attributes.get("alias")
            alias_name = alias.expr[1] if alias is not None and alias.expr[0] == "lit" else None
            self.providers.append((labels[0], alias_name, block, file))


def is_local_source(source: str | None) -> bool:
    return bool(source) and (source.startswith("./") or source.startswith("../") or source in (".", ".."))


def local_module_path(caller: str, source: str) -> str:
    return Path(os.path.normpath(os.path.join(caller, source))).as_posix()


# -- the resource instances adapters read ------------------------------------------------------------


@dataclass
class TfResource:
    """One resource instance, its evaluated settings (nested blocks as lists of dicts) and where it is written."""

    address: str  # module.data.aws_db_instance.main[0]
    config_address: str  # module.data.aws_db_instance.main (no instance keys)
    module: str  # "" or module.data
    mode: str
    type: str
    name: str
    key: Any  # None, a count index or a for_each key
    values: dict[str, Any]
    root: str  # the root module's directory
    file: str
    start_line: int
    end_line: int
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)  # attribute / block path -> (start, end)
    provider: dict[str, Any] = field(default_factory=dict)  # the provider configuration's settings (region ...)

    def span(self, path: str) -> tuple[int, int] | None:
        return self.lines.get(path)


def instance_suffix(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f'["{key}"]'


# -- evaluation ------------------------------------------------------------------------------------


class _Namespace(Lazy):
    def __init__(self, getter: Any, describe: str) -> None:
        self.getter = getter
        self.describe = describe

    def get_attr(self, name: str) -> Any:
        return self.getter(name)

    def materialize(self) -> Any:
        raise EvaluationError(f"{self.describe} cannot be used as a value")


class Tree:
    """Every module directory under the scanned paths, parsed; roots and their instances evaluated on demand."""

    def __init__(self, root: Path, dirs: dict[str, ModuleDir], variables: dict[str, Any] | None = None) -> None:
        self.root = root
        self.dirs = dirs
        self.root_variables = variables or {}
        self.remote_modules: list[tuple[str, str, str]] = []  # (module address, source, root)
        self.missing_modules: list[tuple[str, str, str]] = []

    def roots(self) -> list[str]:
        called = set()
        for path, module in self.dirs.items():
            for call in module.calls:
                if is_local_source(call.source):
                    called.add(local_module_path(path, call.source or ""))
        return sorted(p for p, m in self.dirs.items() if p not in called and (m.resources or m.calls or m.errors))

    def module_dir(self, path: str) -> ModuleDir | None:
        if path in self.dirs:
            return self.dirs[path]
        full = self.root / path
        if not full.is_dir():
            return None
        module = load_dir(full, path)
        self.dirs[path] = module
        return module

    def resources(self) -> Iterator[TfResource]:
        for root in self.roots():
            instance = ModuleInstance(self, self.dirs[root], root, "", None, self.root_variables, None)
            yield from instance.resources()


def load_dir(full: Path, rel: str) -> ModuleDir:
    from scanner.sources.terraform.hcl import parse_file

    module = ModuleDir(rel)
    for name in sorted(os.listdir(full)):
        if name.endswith(".tf") and (full / name).is_file():
            module.add(parse_file(str(full / name), Path(rel, name).as_posix() if rel != "." else name))
    return module


class ModuleInstance:
    def __init__(
        self,
        tree: Tree,
        module: ModuleDir,
        root: str,
        prefix: str,
        inputs: dict[str, Any] | None,
        root_variables: dict[str, Any],
        providers: dict[str, dict[str, Any]] | None,
    ) -> None:
        self.tree = tree
        self.module = module
        self.root = root
        self.prefix = prefix  # "" or 'module.a["x"].'
        self.inputs = inputs  # None at a root module: variables come from --var / tfvars / defaults
        self.root_variables = root_variables
        self._vars: dict[str, Any] = {}
        self._locals: dict[str, Any] = {}
        self._busy: set[str] = set()
        self._nodes: dict[str, ResourceNode] = {}
        for decl in module.resources:
            self._nodes[decl.key] = ResourceNode(self, decl)
        self._calls: dict[str, CallNode] = {c.name: CallNode(self, c) for c in module.calls}
        self.scope = Scope(self._resolve, functions=self._functions())
        self.providers = dict(providers or {})
        for name, alias, block, _ in module.providers:
            self.providers[f"{name}.{alias}" if alias else name] = self._provider_settings(block)

    @property
    def address(self) -> str:
        return self.prefix[:-1] if self.prefix else ""

    def _provider_settings(self, block: Block) -> dict[str, Any]:
        settings = {}
        for name in ("region", "project", "location", "subscription_id"):
            if name in block.attributes:
                settings[name] = self.eval_attribute(block.attributes[name], f"provider {name}")
        return settings

    def _functions(self) -> dict[str, Any]:
        base = self.tree.root / self.module.path

        def read(path: str) -> str:
            full = (base / path).resolve()
            try:
                return full.read_text(encoding="utf-8")
            except OSError as exc:
                raise EvaluationError(f"file({path!r}): {exc.strerror}") from exc

        def templatefile(path: str, variables: dict) -> Any:
            from scanner.sources.terraform.hcl import parse_expression as parse

            text = read(path)
            quoted = text.replace("\\", "\\\\").replace('"', '\\"')
            expr = parse(f'"{quoted}"')
            return evaluate(expr, Scope(lambda name: _missing(name), dict(variables), self.scope.functions))

        def fileexists(path: str) -> bool:
            return (base / path).is_file()

        templatefile.accepts_unknown = False  # type: ignore[attr-defined]
        return {"file": read, "templatefile": templatefile, "fileexists": fileexists}

    # name resolution

    def _resolve(self, name: str) -> Any:
        if name == "var":
            return _Namespace(self.variable, "var")
        if name == "local":
            return _Namespace(self.local, "local")
        if name == "module":
            return _Namespace(self.module_output, "module")
        if name == "data":
            return _Namespace(lambda t: _Namespace(lambda n: self.resource_value(f"data.{t}.{n}"), f"data.{t}"), "data")
        if name == "path":
            return {"module": self.module.path, "root": self.root, "cwd": "."}
        if name == "terraform":
            return {"workspace": "default"}
        if name in ("count", "each", "self"):
            raise EvaluationError(f"{name} is not available here")
        if "_" in name:
            return _Namespace(lambda n: self.resource_value(f"{name}.{n}"), name)
        return _missing(name)

    def variable(self, name: str) -> Any:
        if name in self._vars:
            return self._vars[name]
        declared = self.module.variables.get(name)
        if declared is None:
            raise EvaluationError(f"variable {name!r} is not declared")
        value = self._variable_value(declared)
        self._vars[name] = value
        return value

    def _variable_value(self, declared: Variable) -> Any:
        name = declared.name
        if self.inputs is not None and name in self.inputs:
            value = self.inputs[name]
            if isinstance(value, Lazy):
                value = value.materialize()
            if value is None and declared.default is not None:
                return self._default(declared)
            return _convert(value, declared.type_expr)
        if self.inputs is None and name in self.root_variables:
            return _convert(self.root_variables[name], declared.type_expr)
        if declared.default is not None:
            return self._default(declared)
        where = f"{self.prefix}var.{name}" if self.prefix else f"var.{name}"
        return unknown(f"variable {name!r} has no value ({where}: no default, not set by --var, a .tfvars file or the module call)")

    def _default(self, declared: Variable) -> Any:
        assert declared.default is not None
        return _convert(
            self.eval_attribute(declared.default, f"default of variable {declared.name!r}", Scope(_missing)), declared.type_expr
        )

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        entry = self.module.locals.get(name)
        if entry is None:
            raise EvaluationError(f"local value {name!r} is not declared")
        key = f"local.{name}"
        if key in self._busy:
            raise EvaluationError(f"local.{name} refers to itself")
        self._busy.add(key)
        try:
            value = self.eval_attribute(entry[0], f"local.{name}")
        finally:
            self._busy.discard(key)
        self._locals[name] = value
        return value

    def module_output(self, name: str) -> Any:
        call = self._calls.get(name)
        if call is None:
            raise EvaluationError(f"module {name!r} is not declared")
        return call.value()

    def resource_value(self, key: str) -> Any:
        node = self._nodes.get(key)
        if node is None:
            raise EvaluationError(f"{key} is not declared in {self.module.path}")
        return node.value()

    def eval_attribute(self, attribute: Attribute, what: str, scope: Scope | None = None) -> Any:
        try:
            return materialize(evaluate(attribute.expr, scope or self.scope))
        except EvaluationError as exc:
            return unknown(f"{what}: {exc}")
        except RecursionError:
            return unknown(f"{what}: expression nests too deeply")

    def provider_for(self, decl: ResourceDecl, scope: Scope) -> dict[str, Any]:
        provider_name = decl.type.split("_", 1)[0]
        ref = decl.block.attributes.get("provider")
        if ref is not None and ref.expr[0] == "attr" and ref.expr[1][0] == "ref":
            provider_name = f"{ref.expr[1][1]}.{ref.expr[2]}"
        return self.providers.get(provider_name) or self.providers.get(provider_name.split(".")[0]) or {}

    def resources(self) -> Iterator[TfResource]:
        for node in self._nodes.values():
            if node.decl.mode == "managed":
                yield from node.resources()
        for call in self._calls.values():
            yield from call.resources()


def _missing(name: str) -> Any:
    raise EvaluationError(f"unknown name {name!r}")


def _convert(value: Any, type_expr: tuple | None) -> Any:
    """Apply a variable's primitive type (a --var "true" for a bool variable)."""
    if type_expr is None or isinstance(value, Unknown) or value is None:
        return value
    kind = type_expr[1] if type_expr[0] == "ref" else None
    try:
        if kind == "bool" and isinstance(value, str):
            return {"true": True, "false": False}[value]
        if kind == "number" and isinstance(value, str):
            return int(value) if value.lstrip("-").isdigit() else float(value)
    except (KeyError, ValueError):
        return unknown(f"value {value!r} is not a {kind}")
    return value


class InstanceValue(Lazy):
    """A resource instance as a value: configured attributes on demand, computed ones unknown."""

    keep_lazy = True

    def __init__(self, node: ResourceNode, key: Any, scope: Scope) -> None:
        self.node = node
        self.key = key
        self.scope = scope
        self._cache: dict[str, Any] = {}
        self.address = f"{node.instance.prefix}{node.decl.key}{instance_suffix(key)}"

    def get_attr(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        block = self.node.decl.block
        if name in block.attributes and name not in META_ARGUMENTS:
            guard = f"{self.address}.{name}"
            if guard in self.node.instance._busy:
                raise EvaluationError(f"{guard} refers to itself")
            self.node.instance._busy.add(guard)
            try:
                value = self.node.instance.eval_attribute(block.attributes[name], f"{self.address}.{name}", self.scope)
            finally:
                self.node.instance._busy.discard(guard)
        elif any(b.type == name or (b.type == "dynamic" and b.labels == [name]) for b in block.blocks):
            value = self.blocks(block, name)
        else:
            value = computed_attribute(self, name)
        self._cache[name] = value
        return value

    def blocks(self, block: Block, name: str, scope: Scope | None = None) -> Any:
        scope = scope or self.scope
        out: list[Any] = []
        for child in block.blocks:
            if child.type == name:
                out.append(self.block_values(child, scope))
            elif child.type == "dynamic" and child.labels == [name]:
                expanded = self._dynamic(child, name, scope)
                if isinstance(expanded, Unknown):
                    return expanded
                out.extend(expanded)
        return out

    def _dynamic(self, block: Block, name: str, scope: Scope) -> Any:
        if "for_each" not in block.attributes:
            return unknown(f"dynamic {name!r} has no for_each")
        collection = self.node.instance.eval_attribute(block.attributes["for_each"], f"dynamic {name!r} for_each", scope)
        if isinstance(collection, Unknown):
            return Unknown(tuple(f"dynamic {name!r} blocks: {r}" for r in collection.reasons))
        iterator = name
        if "iterator" in block.attributes and block.attributes["iterator"].expr[0] == "ref":
            iterator = block.attributes["iterator"].expr[1]
        content = next((b for b in block.blocks if b.type == "content"), None)
        if content is None:
            return []
        items = sorted(collection.items()) if isinstance(collection, dict) else list(enumerate(collection or []))
        return [self.block_values(content, scope.bind({iterator: {"key": k, "value": v}})) for k, v in items]

    def block_values(self, block: Block, scope: Scope) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, attribute in block.attributes.items():
            values[name] = self.node.instance.eval_attribute(attribute, f"{self.address}: {name}", scope)
        names = dict.fromkeys(b.labels[0] if b.type == "dynamic" and b.labels else b.type for b in block.blocks)
        for name in names:
            values[name] = self.blocks(block, name, scope)
        return values

    def materialize(self) -> Any:
        return {name: self.get_attr(name) for name in self.configured_names()}

    def configured_names(self) -> list[str]:
        block = self.node.decl.block
        names = [n for n in block.attributes if n not in META_ARGUMENTS]
        for child in block.blocks:
            name = child.labels[0] if child.type == "dynamic" and child.labels else child.type
            if name not in META_ARGUMENTS and name not in names:
                names.append(name)
        return names


class ResourceNode:
    def __init__(self, instance: ModuleInstance, decl: ResourceDecl) -> None:
        self.instance = instance
        self.decl = decl
        self._instances: list[InstanceValue] | None = None
        self._mode = "single"  # single | count | for_each | unknown

    def expand(self) -> list[InstanceValue]:
        if self._instances is not None:
            return self._instances
        self._instances = []  # a self-reference during expansion sees no instances
        block, scope = self.decl.block, self.instance.scope
        if "count" in block.attributes:
            count = self.instance.eval_attribute(block.attributes["count"], f"{self.decl.key} count")
            if isinstance(count, Unknown):
                self._mode = "unknown"
                self._instances = [self._instance("*", {"count": {"index": Unknown(count.reasons)}}, count)]
            else:
                self._mode = "count"
                try:
                    total = int(count)
                except (TypeError, ValueError):
                    total = 0
                self._instances = [self._instance(i, {"count": {"index": i}}) for i in range(total)]
        elif "for_each" in block.attributes:
            collection = self.instance.eval_attribute(block.attributes["for_each"], f"{self.decl.key} for_each")
            if isinstance(collection, Unknown):
                self._mode = "unknown"
                each = {"key": Unknown(collection.reasons), "value": Unknown(collection.reasons)}
                self._instances = [self._instance("*", {"each": each}, collection)]
            else:
                self._mode = "for_each"
                if isinstance(collection, list):
                    items = [(to_string(v), v) for v in collection if not isinstance(v, Unknown)]
                elif isinstance(collection, dict):
                    items = sorted(collection.items())
                else:
                    items = []
                self._instances = [self._instance(str(k), {"each": {"key": k, "value": v}}) for k, v in items]
        else:
            self._instances = [self._instance(None, {})]
        return self._instances

    def _instance(self, key: Any, bindings: dict[str, Any], why: Unknown | None = None) -> InstanceValue:
        value = InstanceValue(self, key, self.instance.scope.bind(bindings) if bindings else self.instance.scope)
        value.scope = value.scope.bind({"self": value})
        value.unknown_expansion = why  # type: ignore[attr-defined]
        return value

    def value(self) -> Any:
        instances = self.expand()
        if self._mode == "single":
            return instances[0]
        if self._mode == "count":
            return list(instances)
        if self._mode == "for_each":
            return {i.key: i for i in instances}
        return Unknown(tuple(f"{self.decl.key} is expanded by an unknown count/for_each: {r}" for r in instances[0].unknown_expansion.reasons))

    def resources(self) -> Iterator[TfResource]:
        decl = self.decl
        for instance in self.expand():
            values = _settled(instance.materialize(), instance.address)
            yield TfResource(
                address=instance.address,
                config_address=f"{self.instance.prefix}{decl.key}".replace('"]', '"]'),
                module=self.instance.address,
                mode=decl.mode,
                type=decl.type,
                name=decl.name,
                key=instance.key,
                values=values,
                root=self.instance.root,
                file=decl.file,
                start_line=decl.block.start_line,
                end_line=decl.block.end_line,
                lines=_lines(decl.block),
                provider=self.instance.provider_for(decl, instance.scope),
            )


def _settled(value: Any, address: str) -> Any:
    """Values as adapters read them: a whole resource object left where a value belongs (which
    Terraform would reject) becomes unknown instead of reaching an adapter."""
    if isinstance(value, InstanceValue):
        return unknown(f"{address}: {value.address} is a whole resource object where a value is expected")
    if isinstance(value, dict):
        return {k: _settled(v, address) for k, v in value.items()}
    if isinstance(value, list):
        return [_settled(v, address) for v in value]
    return value


def _lines(block: Block, prefix: str = "") -> dict[str, tuple[int, int]]:
    lines: dict[str, tuple[int, int]] = {}
    for name, attribute in block.attributes.items():
        lines[prefix + name] = (attribute.start_line, attribute.end_line)
    for child in block.blocks:
        name = child.labels[0] if child.type == "dynamic" and child.labels else child.type
        if prefix + name not in lines:
            lines[prefix + name] = (child.start_line, child.end_line)
            body = next((b for b in child.blocks if b.type == "content"), child) if child.type == "dynamic" else child
            lines.update({k: v for k, v in _lines(body, prefix + name + ".").items() if k not in lines})
    return lines


class CallNode:
    """A module call: its instances (count / for_each), each a child ModuleInstance fed the call's inputs."""

    def __init__(self, parent: ModuleInstance, call: ModuleCall) -> None:
        self.parent = parent
        self.call = call
        self._children: list[tuple[Any, ModuleInstance | None]] | None = None
        self._mode = "single"
        self._why: Unknown | None = None

    def _module(self) -> ModuleDir | None:
        source = self.call.source
        if not is_local_source(source):
            return None
        return self.parent.tree.module_dir(local_module_path(self.parent.module.path, source or ""))

    def children(self) -> list[tuple[Any, ModuleInstance | None]]:
        if self._children is not None:
            return self._children
        self._children = []
        block = self.call.block
        keys: list[tuple[Any, dict[str, Any]]]
        if "count" in block.attributes:
            count = self.parent.eval_attribute(block.attributes["count"], f"module.{self.call.name} count")
            if isinstance(count, Unknown):
                self._mode, self._why = "unknown", count
                keys = [("*", {"count": {"index": Unknown(count.reasons)}})]
            else:
                self._mode = "count"
                keys = [(i, {"count": {"index": i}}) for i in range(int(count or 0))]
        elif "for_each" in block.attributes:
            collection = self.parent.eval_attribute(block.attributes["for_each"], f"module.{self.call.name} for_each")
            if isinstance(collection, Unknown):
                self._mode, self._why = "unknown", collection
                keys = [("*", {"each": {"key": Unknown(collection.reasons), "value": Unknown(collection.reasons)}})]
            else:
                self._mode = "for_each"
                pairs = sorted(collection.items()) if isinstance(collection, dict) else [(to_string(v), v) for v in collection or []]
                keys = [(str(k), {"each": {"key": k, "value": v}}) for k, v in pairs]
        else:
            keys = [(None, {})]
        module = self._module()
        address = f"{self.parent.prefix}module.{self.call.name}"
        if module is None:
            record = (address, self.call.source or "(no source)", self.parent.root)
            if is_local_source(self.call.source):
                if record not in self.parent.tree.missing_modules:
                    self.parent.tree.missing_modules.append(record)
            elif record not in self.parent.tree.remote_modules:
                self.parent.tree.remote_modules.append(record)
        for key, bindings in keys:
            if module is None:
                self._children.append((key, None))
                continue
            scope = self.parent.scope.bind(bindings) if bindings else self.parent.scope
            inputs = _CallInputs(self.parent, block, scope, address + instance_suffix(key))
            providers = dict(self.parent.providers)
            mapping = block.attributes.get("providers")
            if mapping is not None and mapping.expr[0] == "object":
                for key_expr, value_expr in mapping.expr[1]:
                    target = _reference_name(key_expr)
                    source = _reference_name(value_expr)
                    if target and source and source in self.parent.providers:
                        providers[target] = self.parent.providers[source]
            child = ModuleInstance(
                self.parent.tree,
                module,
                self.parent.root,
                f"{address}{instance_suffix(key)}.",
                inputs,
                self.parent.root_variables,
                providers,
            )
            self._children.append((key, child))
        return self._children

    def value(self) -> Any:
        children = self.children()
        name = self.call.name
        if any(child is None for _, child in children):
            return unknown(f"module.{name} comes from {self.call.source or 'an unknown source'}, which trustscan does not scan")
        outputs = [_Namespace(lambda out, c=child: _output(c, out), f"module.{name}") for _, child in children]
        if self._mode == "single":
            return outputs[0]
        if self._mode == "count":
            return outputs
        if self._mode == "for_each":
            return {key: out for (key, _), out in zip(children, outputs, strict=True)}
        assert self._why is not None
        return Unknown(tuple(f"module.{name} is expanded by an unknown count/for_each: {r}" for r in self._why.reasons))

    def resources(self) -> Iterator[TfResource]:
        for _, child in self.children():
            if child is not None:
                yield from child.resources()


def _reference_name(expr: tuple) -> str | None:
    if expr[0] == "ref":
        return expr[1]
    if expr[0] == "attr" and expr[1][0] == "ref":
        return f"{expr[1][1]}.{expr[2]}"
    if expr[0] == "lit" and isinstance(expr[1], str):
        return expr[1]
    return None


def _output(child: ModuleInstance, name: str) -> Any:
    entry = child.module.outputs.get(name)
    if entry is None:
        raise EvaluationError(f"{child.address} has no output {name!r}")
    return child.eval_attribute(entry[0], f"{child.address}.{name}")


class _CallInputs(dict):
    """A module call's arguments, evaluated in the caller's scope when the child reads them."""

    def __init__(self, parent: ModuleInstance, block: Block, scope: Scope, address: str) -> None:
        super().__init__()
        self.parent, self.block, self.scope, self.address = parent, block, scope, address
        self.names = {n for n in block.attributes if n not in ("source", "version", "count", "for_each", "providers", "depends_on")}

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> Any:
        if not dict.__contains__(self, name):
            dict.__setitem__(self, name, self.parent.eval_attribute(self.block.attributes[name], f"{self.address} input {name}", self.scope))
        return dict.__getitem__(self, name)


# -- computed attributes ---------------------------------------------------------------------------

# Attributes whose value Terraform derives from the configuration (the id of a bucket is its name).
# Everything else a configuration does not set is known only after apply.
_SAME_AS = {
    ("aws_s3_bucket", "id"): "bucket",
    ("aws_cloudwatch_log_group", "id"): "name",
    ("aws_kms_alias", "id"): "name",
    ("aws_dynamodb_table", "id"): "name",
    ("aws_db_parameter_group", "id"): "name",
    ("aws_rds_cluster_parameter_group", "id"): "name",
    ("aws_iam_role", "id"): "name",
    ("aws_iam_user", "id"): "name",
    ("aws_iam_group", "id"): "name",
    ("aws_elasticache_replication_group", "id"): "replication_group_id",
    ("aws_redshift_cluster", "id"): "cluster_identifier",
    ("aws_rds_cluster", "id"): "cluster_identifier",
    ("aws_db_instance", "identifier"): "identifier",
    ("aws_kinesis_stream", "id"): "arn",
    ("aws_sns_topic", "id"): "arn",
    ("aws_secretsmanager_secret", "id"): "arn",
    ("google_storage_bucket", "id"): "name",
    ("google_storage_bucket", "name"): "name",
    ("google_kms_key_ring", "name"): "name",
    ("azurerm_resource_group", "name"): "name",
}


def computed_attribute(instance: InstanceValue, name: str) -> Any:
    decl = instance.node.decl
    source = _SAME_AS.get((decl.type, name))
    if source and source != name and source in decl.block.attributes:
        return instance.get_attr(source)
    if decl.type == "aws_s3_bucket" and name in ("arn", "bucket", "id"):
        bucket = instance.get_attr("bucket") if "bucket" in decl.block.attributes else None
        if bucket is not None and not isinstance(bucket, Unknown):
            return bucket if name != "arn" else f"arn:aws:s3:::{bucket}"
    if decl.mode == "data":
        from scanner.sources.terraform.datasources import data_attribute

        value = data_attribute(instance, name)
        if value is not None:
            return value
        return Computed((f"{instance.address}.{name} is read from the provider during plan",), instance.address, name)
    return Computed((f"{instance.address}.{name} is known only after apply",), instance.address, name)


# -- loading ---------------------------------------------------------------------------------------


def discover(root: Path) -> list[tuple[str, str]]:
    """(full path, path relative to root) of every .tf file under root, sorted."""
    found: list[tuple[str, str]] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".tf"):
                full = os.path.join(directory, name)
                found.append((full, Path(os.path.relpath(full, root)).as_posix()))
    return found


def variable_values(
    root_dir: Path, var_files: list[str], pairs: list[str], environ: dict[str, str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Root variables the way Terraform reads them: TF_VAR_*, terraform.tfvars, *.auto.tfvars, -var-file, -var
    (later wins). Returns the values and problems (a file that does not parse)."""
    from scanner.errors import ConfigurationError

    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, raw in sorted((environ or {}).items()):
        if key.startswith("TF_VAR_"):
            values[key[len("TF_VAR_") :]] = raw
    files = []
    default = root_dir / "terraform.tfvars"
    if default.is_file():
        files.append(default)
    files += sorted(p for p in root_dir.glob("*.auto.tfvars") if p.is_file())
    files += [Path(f) for f in var_files]
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ConfigurationError(f"--var-file {path}: file not found") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"--var-file {path}: cannot read ({exc})") from exc
        if path.suffix == ".json":
            import json

            try:
                data = json.loads(text)
            except ValueError as exc:
                raise ConfigurationError(f"{path} is not valid JSON: {exc}") from exc
            values.update(data if isinstance(data, dict) else {})
            continue
        attributes, error = parse_attributes(text, str(path))
        if error:
            raise ConfigurationError(f"{path}:{error[0]}: {error[1]}")
        for name, attribute in attributes.items():
            values[name] = materialize(evaluate(attribute.expr, Scope(_missing)))
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(f"--var {pair!r} is not NAME=VALUE")
        value: Any = raw
        if raw[:1] in ("[", "{"):
            try:
                value = materialize(evaluate(parse_expression(raw), Scope(_missing)))
            except Exception as exc:  # noqa: BLE001 - any parse problem is the user's input
                raise ConfigurationError(f"--var {name.strip()}: {raw!r} is not a valid value ({exc})") from exc
        values[name.strip()] = value
    return values, problems
