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
    _scopes: dict[str, str] = field(default_factory=dict, repr=False)

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
    resources = [r for r in tree.resources() if r.mode == "managed"]
    label = root_label(tree.root)
    return Source(
        "terraform",
        label,
        resources,
        tree.roots(),
        parse_errors=errors,
        remote_modules=tree.remote_modules,
        missing_modules=tree.missing_modules,
        root_files={root: sorted(tree.dirs[root].files) for root in tree.roots()},
    )


def inventories(source: Source, checks: list[CheckSpec], started: datetime) -> dict[tuple[str, str], tuple[Inventory, list[CheckSpec]]]:
    """One inventory per root module and cloud it declares resources of (or that the selected checks
    name): a root module is a deployment of its own, so account-wide settings and "exists" checks
    are judged per root."""
    load_adapters()
    by_root: dict[str, dict[str, list[TfResource]]] = {root: {} for root in source.roots}
    for tf in source.resources:
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
        value = spec.func(ctx)
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
    for address, module_source, module_root in source.remote_modules:
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
    for address, module_source, module_root in source.missing_modules:
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


def _not_expressible_inventory(inventory: Inventory, checks: list[CheckSpec], reason: str) -> Inventory:
    """An empty inventory of the same scope whose coverage marks the checks' inputs unsupported:
    their findings are NOT_APPLICABLE with the reason."""
    keys = sorted({key for spec in checks for key in spec.collection_keys})
    coverage = [
        Coverage(key=key, scope=inventory.metadata.identity.account, state=CoverageState.UNSUPPORTED, reason=reason) for key in keys
    ]
    provider = inventory.metadata.provider
    return Inventory(metadata=inventory.metadata, coverage=coverage, **{provider: type(getattr(inventory, provider))()})


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


def report(
    source: Source,
    checks: list[CheckSpec],
    frameworks: Mapping[str, Framework],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    started: datetime | None = None,
) -> tuple[Report, dict[str, Inventory]]:
    started = started or datetime.now(timezone.utc)
    built = inventories(source, checks, started)
    findings = []
    evaluated: list[CheckSpec] = []
    coverage: list[Coverage] = []
    for (_, cloud), (inventory, cloud_checks) in built.items():
        judged = [spec for spec in cloud_checks if expressible(spec) is None]
        findings += evaluate(inventory, judged, frameworks, params)
        by_reason: dict[str, list[CheckSpec]] = {}
        for spec in cloud_checks:
            reason = expressible(spec)
            if reason is not None:
                by_reason.setdefault(reason, []).append(spec)
        for reason, specs in by_reason.items():
            findings += evaluate(_not_expressible_inventory(inventory, specs, reason), specs, frameworks, params)
        evaluated += [c for c in cloud_checks if c not in evaluated]
        coverage += inventory.coverage
    findings = list({f.finding_id: f for f in findings}.values())  # a broken file is reported once, not per root
    findings = [_locate(source, f) for f in findings]
    findings.sort(key=lambda f: (f.check_id, f.resource_id, f.region, f.account))
    finished = datetime.now(timezone.utc)
    criteria = []
    providers = {cloud for _, cloud in built}
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
            regions=sorted({r for inv, _ in built.values() for r in inv.metadata.regions} - {"unknown"}),
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
    return result, {f"{cloud}:{source.scope(root)}": inv for (root, cloud), (inv, _) in built.items()}
