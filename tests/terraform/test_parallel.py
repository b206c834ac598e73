"""Large trees parse and evaluate on every core (forked workers): the report is the same as one
process makes. The thresholds are lowered so that the fixture trees take the parallel path."""

from __future__ import annotations

import pytest

from tests.terraform.conftest import FIXTURES


def _scan(workers: int) -> list[dict]:
    from scanner.engine.scan import frameworks
    from scanner.registry import load_checks, select_checks
    from scanner.sources.terraform import scan as tf

    source = tf.from_tree([str(FIXTURES / "aws")], {}, workers=workers)
    report, _ = tf.report(source, select_checks(load_checks()), frameworks(), {}, workers=workers)
    return [f.model_dump(mode="json") for f in report.findings]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="worker processes are forked")
def test_workers_give_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner.sources.terraform import loader, scan

    serial = _scan(1)
    monkeypatch.setattr(loader, "PARALLEL_FROM_FILES", 1)
    monkeypatch.setattr(scan, "PARALLEL_FROM_RESOURCE_BLOCKS", 1)
    parallel = _scan(2)
    assert len({f["account"] for f in serial}) > 1  # several root modules, so the work is shared out
    assert any(f["location"] for f in serial)
    assert parallel == serial
