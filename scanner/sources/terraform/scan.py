"""`trustscan scan terraform`: a Terraform tree (or plan) -> per-cloud inventories -> one report.

The scan is one scope: its account is the scanned root as given (relative to the working
directory), and each root module found under it is a scope of its own within it (resources carry
their root module as `account`, so two environments declaring the same bucket stay apart). Each
cloud whose resources appear gets an inventory of the same models the live collectors fill; the
checks run on it unchanged. Keys Terraform cannot express are NOT_APPLICABLE with the reason, a
file that does not parse is an ERROR finding for that file, remote modules are listed as not
scanned.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.engine.evaluate import evaluate, summarise
from scanner.errors import ConfigurationError
from scanner.mapping import Framework, rollup
from scanner.models.common import Coverage, CoverageState
from scanner.models.inventory import Identity, Inventory, InventoryMetadata
from scanner.models.report import CollectionError, Report, ScanMetadata
from scanner.registry import CheckSpec
from scanner.sources.terraform.adapters import ADAPTERS, Context, expressible, load_adapters
from scanner.sources.terraform.modules import TfResource

CLOUDS = {"aws": "aws", "azurerm": "azure", "azuread": "azure", "google": "gcp"}
MODULE_KEY = "terraform.modules"
PARSE_KEY = "terraform.files"


@dataclass
class Source:
    """What a Terraform tree or plan yielded: resource instances and what could not be read."""

    kind: str  # "terraform" (HCL) | "terraform-plan"
    label: str  # the scanned root relative to the working directory
    resources: list[TfResource]
    roots: list[str]
    parse_errors: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, message
    remote_modules: list[tuple[str, str, str]] = field(default_factory=list)  # address, source, root
    missing_modules: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    root_files: dict[str, list[str]] = field(default_factory=dict)  # root module -> its .tf files
    tree: Any = None  # HCL sources: resources are evaluated per root module when the report needs them
    _scopes: dict[str, str] = field(default_factory=dict, repr=False)

    def resources_of(self, roots: Sequence[str]) -> list[TfResource]:
        if self.tree is None:
            wanted = set(roots)
            return [r for r in self.resources if r.root in wanted]
        from scanner.sources.terraform.modules import ModuleInstance

        out: list[TfResource] = []
        for root in roots:
            instance = ModuleInstance(self.tree, self.tree.dirs[root], root, "", None, self.tree.root_variables, None)
            out += [r for r in instance.resources() if r.mode == "managed"]
        return out

    def scope(self, root: str) -> str:
        if root not in self._scopes:
            self._scopes[root] = Path(os.path.normpath(os.path.join(self.label, root))).as_posix()
        return self._scopes[root]


def root_label(root: Path) -> str:
    cwd = Path.cwd().resolve()
    try:
        return root.resolve().relative_to(cwd).as_posix() or "."
    except ValueError:
        return root.resolve().as_posix()


def cloud_of(resource_type: str) -> str | None:
    return CLOUDS.get(resource_type.split("_", 1)[0])


def from_tree(paths: Sequence[str], variables: dict[str, Any], workers: int | None = None) -> Source:
    from scanner.sources.terraform.loader import load_tree

    tree = load_tree(paths, variables, workers)
    errors = sorted(e for module in tree.dirs.values() for e in module.errors)
    if errors and not any(m.resources or m.calls for m in tree.dirs.values()):
        file, line, message = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigurationError(f"no .tf file could be parsed: {file}:{line}: {message}{more}")
    label = root_label(tree.root)
    return Source(
        "terraform",
        label,
        [],
        tree.roots(),
        parse_errors=errors,
        root_files={root: sorted(tree.dirs[root].files) for root in tree.roots()},
        tree=tree,
    )


def inventories(
    source: Source, checks: list[CheckSpec], started: datetime, roots: Sequence[str] | None = None
) -> dict[tuple[str, str], tuple[Inventory, list[CheckSpec]]]:
    """One inventory per root module and cloud it declares resources of (or that the selected checks
    name): a root module is a deployment of its own, so account-wide settings and "exists" checks
    are judged per root."""
    load_adapters()
    roots = list(source.roots if roots is None else roots)
    by_root: dict[str, dict[str, list[TfResource]]] = {root: {} for root in roots}
    for tf in source.resources_of(roots):
        cloud = cloud_of(tf.type)
        if cloud:
            by_root.setdefault(tf.root, {}).setdefault(cloud, []).append(tf)
    checked = {spec.provider for spec in checks}
    out: dict[tuple[str, str], tuple[Inventory, list[CheckSpec]]] = {}
    for root, clouds in sorted(by_root.items()):
        wanted = set(clouds)
        if len(checked) == 1 or not wanted:
            wanted |= checked  # --checks naming one cloud's checks: judge them even with nothing declared
        for cloud in sorted(wanted & checked):
            cloud_checks = [c for c in checks if c.provider == cloud]
            out[(root, cloud)] = (_inventory(source, root, cloud, clouds.get(cloud, []), cloud_checks, started), cloud_checks)
    return out


def _inventory(
    source: Source, root: str, cloud: str, resources: list[TfResource], checks: list[CheckSpec], started: datetime
) -> Inventory:
    from scanner.engine.collect import _assign
    from scanner.models.aws import AwsInventory
    from scanner.models.azure import AzureInventory
    from scanner.models.gcp import GcpInventory

    provider_inventory: Any = {"aws": AwsInventory, "azure": AzureInventory, "gcp": GcpInventory}[cloud]()
    ctx = Context(cloud, resources, source.scope, source.label)
    scope = source.scope(root)
    coverage: list[Coverage] = []
    keys = sorted({key for spec in checks for key in spec.collection_keys})
    for key in keys:
        spec = ADAPTERS.get(key)
        if spec is None:
            continue  # checks reading it are judged not expressible before evaluation
        try:
            value = spec.func(ctx)
        except Exception as exc:  # noqa: BLE001 - a construct an adapter does not handle is an ERROR, not a crash
            import logging

            logging.getLogger("trustscan").debug("adapter %s raised", key, exc_info=exc)
            reason = f"the Terraform adapter for {key} could not read this configuration ({type(exc).__name__}: {exc})"
            coverage.append(Coverage(key=key, scope=scope, state=CoverageState.FAILED, reason=reason, error_code="AdapterError"))
            continue
        if (spec.singleton and value is None) or (spec.absent and isinstance(value, list) and not value):
            coverage.append(Coverage(key=key, scope=scope, state=CoverageState.UNSUPPORTED, reason=spec.absent))
            continue
        if isinstance(value, list):
            value = sorted(value, key=lambda r: (r.id, r.region, r.account))
        _assign(provider_inventory, key, value)
        coverage.append(Coverage(key=key, scope=scope, state=CoverageState.COLLECTED))
        for file, line, message in source.parse_errors:
            coverage.append(
                Coverage(key=key, scope=file, state=CoverageState.FAILED, reason=f"{file}:{line}: {message}", error_code="SyntaxError")
            )
    remote = source.tree.remote_modules if source.tree is not None else source.remote_modules
    missing = source.tree.missing_modules if source.tree is not None else source.missing_modules
    for address, module_source, module_root in remote:
        if module_root != root:
            continue
        coverage.append(
            Coverage(
                key=MODULE_KEY,
                scope=f"{source.scope(root)}:{address}",
                state=CoverageState.NOT_COLLECTED,
                reason=f"{address} comes from {module_source}: remote module sources are not scanned",
            )
        )
    for address, module_source, module_root in missing:
        if module_root != root:
            continue
        coverage.append(
            Coverage(
                key=MODULE_KEY,
                scope=f"{source.scope(root)}:{address}",
                state=CoverageState.FAILED,
                reason=f"{address}: local module source {module_source} has no .tf files",
            )
        )
    metadata = InventoryMetadata(
        tool_version=__version__,
        provider=cloud,
        collected_at=started,
        finished_at=datetime.now(timezone.utc),
        identity=Identity(account=scope, principal=source.kind),
        regions=sorted({r.region for r in _all_resources(provider_inventory)} - {"global"}),
        scope_field="account",
        scopes=[scope],
        checks=sorted(spec.id for spec in checks),
    )
    return Inventory(metadata=metadata, coverage=sorted(coverage, key=lambda c: (c.key, c.scope)), **{cloud: provider_inventory})


def _all_resources(provider_inventory: Any) -> list[Any]:
    found = []
    for service_name in type(provider_inventory).model_fields:
        service = getattr(provider_inventory, service_name)
        for attribute in type(service).model_fields:
            value = getattr(service, attribute)
            if isinstance(value, list):
                found.extend(value)
            elif value is not None and hasattr(value, "region"):
                found.append(value)
    return found


def _empty_inventory(source: Source, cloud: str, started: datetime, checks: list[CheckSpec], reason: str, scopes: list[str]) -> Inventory:
    """An empty inventory whose coverage marks the checks' inputs unsupported in every root module's
    scope: their findings are NOT_APPLICABLE with the reason, one per root module."""
    from scanner.models.aws import AwsInventory
    from scanner.models.azure import AzureInventory
    from scanner.models.gcp import GcpInventory

    keys = sorted({key for spec in checks for key in spec.collection_keys})
    coverage = [Coverage(key=key, scope=scope, state=CoverageState.UNSUPPORTED, reason=reason) for key in keys for scope in scopes]
    metadata = InventoryMetadata(
        tool_version=__version__,
        provider=cloud,
        collected_at=started,
        identity=Identity(account=source.label, principal=source.kind),
        scope_field="account",
        scopes=scopes,
        checks=sorted(spec.id for spec in checks),
    )
    empty = {"aws": AwsInventory, "azure": AzureInventory, "gcp": GcpInventory}[cloud]()
    return Inventory(metadata=metadata, coverage=coverage, **{cloud: empty})


def _locate(source: Source, finding: Any) -> Any:
    """Findings about no resource block still get a file: a broken file at its error line, an
    account-wide verdict of a root module at the top of its main file (code scanning needs a file)."""
    if finding.location is not None:
        return finding
    from scanner.models.common import SourceLocation

    for file, line, _ in source.parse_errors:
        if finding.resource_id == file:
            where = SourceLocation(root=source.label, file=file, start_line=max(line, 1), end_line=max(line, 1), address="")
            return finding.model_copy(update={"location": where})
    root = next((r for r in source.roots if source.scope(r) == finding.account), None)
    files = source.root_files.get(root or "", [])
    if not files:
        return finding
    main = next((f for f in files if f.endswith("/main.tf") or f == "main.tf"), files[0])
    where = SourceLocation(root=source.label, file=main, start_line=1, end_line=1, address="")
    return finding.model_copy(update={"location": where})


_JOB: dict[str, Any] = {}  # what forked workers evaluate (inherited, not pickled)
_FINDINGS: Any = None  # TypeAdapter(list[Finding]), built on first use
_COVERAGE: Any = None
PARALLEL_FROM_RESOURCE_BLOCKS = 2000  # below this, worker processes cost more than they save


def _judge(roots: list[str]) -> dict[str, Any]:
    """Inventories and expressible checks for some root modules (in a worker, or in-process)."""
    source, checks, frameworks, params, started = (_JOB[k] for k in ("source", "checks", "frameworks", "params", "started"))
    built = inventories(source, checks, started, roots)
    findings: list[Any] = []
    coverage: list[Coverage] = []
    clouds: dict[str, list[str]] = {}
    for (_, cloud), (inventory, cloud_checks) in built.items():
        findings += evaluate(inventory, [spec for spec in cloud_checks if expressible(spec) is None], frameworks, params)
        clouds.setdefault(cloud, []).append(inventory.metadata.identity.account)
        coverage += inventory.coverage
    tree = source.tree
    return {
        "clouds": clouds,
        "regions": sorted({r for inv, _ in built.values() for r in inv.metadata.regions}),
        "remote": list(tree.remote_modules) if tree is not None else [],
        "missing": list(tree.missing_modules) if tree is not None else [],
        "findings": findings,
        "coverage": coverage,
    }


def _judge_share(roots: list[str]) -> dict[str, Any]:
    """`_judge` for a share of the root modules; in a worker, the findings travel back as one JSON
    document (three times cheaper to write than a pickle of the models, and as cheap to read)."""
    part = _judge(roots)
    if os.getpid() != _JOB["parent"]:
        part["findings"] = _FINDINGS.dump_json(part["findings"])
        part["coverage"] = _COVERAGE.dump_json(part["coverage"])
    return part


def _chunks(source: Source, workers: int) -> list[list[str]]:
    """Root modules spread over the workers, the largest first (by .tf files)."""
    sizes = sorted(source.roots, key=lambda r: -len(source.root_files.get(r, [])))
    chunks: list[list[str]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for root in sizes:
        i = loads.index(min(loads))
        chunks[i].append(root)
        loads[i] += len(source.root_files.get(root, [])) or 1
    return [c for c in chunks if c]


def report(
    source: Source,
    checks: list[CheckSpec],
    frameworks: Mapping[str, Framework],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    started: datetime | None = None,
    workers: int | None = None,
) -> tuple[Report, dict[str, Any]]:
    """Evaluate every root module (on every core for large trees) and assemble one report."""
    from scanner.sources.terraform.loader import collector_paused

    global _FINDINGS, _COVERAGE
    if _FINDINGS is None:
        from pydantic import TypeAdapter

        from scanner.models.report import Finding

        _FINDINGS, _COVERAGE = TypeAdapter(list[Finding]), TypeAdapter(list[Coverage])
    with collector_paused():
        return _report(source, checks, frameworks, params, started, workers)


def _report(
    source: Source,
    checks: list[CheckSpec],
    frameworks: Mapping[str, Framework],
    params: Mapping[str, Mapping[str, Any]] | None,
    started: datetime | None,
    workers: int | None,
) -> tuple[Report, dict[str, Any]]:
    started = started or datetime.now(timezone.utc)
    _JOB.update(source=source, checks=checks, frameworks=frameworks, params=params, started=started)
    workers = workers or os.cpu_count() or 1
    blocks = sum(len(d.resources) for d in source.tree.dirs.values()) if source.tree is not None else len(source.resources)
    parts: list[dict[str, Any]]
    if workers > 1 and len(source.roots) > 1 and blocks >= PARALLEL_FROM_RESOURCE_BLOCKS:
        from scanner.sources.terraform.loader import shared_with_workers

        _JOB["parent"] = os.getpid()
        parts = shared_with_workers(_judge_share, _chunks(source, workers))
        for part in parts:
            if isinstance(part["findings"], bytes):
                part["findings"] = _FINDINGS.validate_json(part["findings"])
                part["coverage"] = _COVERAGE.validate_json(part["coverage"])
    else:
        parts = [_judge(list(source.roots))]
    _JOB.clear()
    findings: list[Any] = []
    coverage: list[Coverage] = []
    clouds: dict[str, list[str]] = {}
    for part in parts:
        findings += part["findings"]
        coverage += part["coverage"]
        for cloud, scopes in part["clouds"].items():
            clouds.setdefault(cloud, []).extend(scopes)
        source.remote_modules += [m for m in part["remote"] if m not in source.remote_modules]
        source.missing_modules += [m for m in part["missing"] if m not in source.missing_modules]
    evaluated = [spec for spec in checks if spec.provider in clouds]
    # What Terraform cannot express is the same answer in every root module: one pass per reason
    for cloud, scopes in sorted(clouds.items()):
        by_reason: dict[str, list[CheckSpec]] = {}
        for spec in evaluated:
            reason = expressible(spec) if spec.provider == cloud else None
            if reason is not None:
                by_reason.setdefault(reason, []).append(spec)
        for reason, specs in by_reason.items():
            empty = _empty_inventory(source, cloud, started, specs, reason, sorted(scopes))
            findings += evaluate(empty, specs, frameworks, params)
    regions = sorted({r for part in parts for r in part["regions"]})
    findings = list({f.finding_id: f for f in findings}.values())  # a broken file is reported once, not per root
    findings = [_locate(source, f) for f in findings]
    findings.sort(key=lambda f: (f.check_id, f.resource_id, f.region, f.account))
    finished = datetime.now(timezone.utc)
    criteria = []
    providers = set(clouds)
    for framework in frameworks.values():
        criteria.extend(rollup(framework, findings, [s.id for s in evaluated], providers))
    errors = [
        CollectionError(key=c.key, scope=c.scope, state=c.state.value, reason=c.reason or "", error_code=c.error_code)
        for c in coverage
        if c.state in (CoverageState.FAILED, CoverageState.NOT_COLLECTED)
    ]
    errors = list({(e.key, e.scope): e for e in errors}.values())
    from scanner.engine.evaluate import resolve_params

    result = Report(
        metadata=ScanMetadata(
            tool_version=__version__,
            provider="terraform",
            source=source.kind,
            identity=Identity(account=source.label, principal=source.kind),
            regions=[r for r in regions if r != "unknown"],
            scopes=[source.scope(root) for root in source.roots],
            collected_at=started,
            started_at=started,
            finished_at=finished,
            elapsed_seconds=round((finished - started).total_seconds(), 3),
            checks_evaluated=len(evaluated),
            parameters={spec.id: resolve_params(spec, params) for spec in evaluated if spec.params},
        ),
        summary=summarise(findings),
        findings=findings,
        criteria=criteria,
        collection_errors=errors,
    )
    return result, {}
