"""Helpers for the Terraform source tests: scan a fixture tree in-process and read verdicts by address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "terraform"


def tf_scan(
    path: Path | str,
    checks: str | None = None,
    variables: dict[str, Any] | None = None,
    var_pairs: list[str] | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> Any:
    from scanner.engine.scan import frameworks
    from scanner.registry import load_checks, select_checks
    from scanner.sources.terraform import scan as tf
    from scanner.sources.terraform.modules import variable_values

    registry = load_checks()
    selected = select_checks(registry, ids=[c for c in (checks or "").split(",") if c] or None)
    values, _ = variable_values(Path(path), [], var_pairs or [], {})
    values.update(variables or {})
    source = tf.from_tree([str(path)], values)
    report, _ = tf.report(source, selected, frameworks(), params or {})
    return report


def plan_sources(tree: Path) -> str:
    """What a recorded plan.json was made from: `sha256  path` per .tf file of the tree."""
    import hashlib

    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(tree).as_posix()}" for p in sorted(tree.rglob("*.tf"))]
    return "\n".join(lines) + "\n"


def address(finding: Any) -> str:
    if finding.location is None:
        return finding.resource_id
    return finding.location.resource_address or finding.location.address


def tf_verdicts(report: Any, check_id: str) -> set[tuple[str, str]]:
    return {(address(f), f.status.value) for f in report.findings if f.check_id == check_id}
