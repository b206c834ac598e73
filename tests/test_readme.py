"""The README stays true: its test command is what CI runs, and its checks table is the catalogue."""

from __future__ import annotations

import os
import re
from pathlib import Path

from scanner.catalogue import catalogue, render_catalogue_markdown

ROOT = Path(__file__).resolve().parents[1]
TABLE = re.compile(r"(<!-- checks:start -->\n)(.*?)(<!-- checks:end -->)", re.S)


def _commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_readme_starts_with_demo_and_test_commands_and_ci_runs_the_test_command():
    demo, tests = _commands()[:2]
    assert "trustscan demo" in demo and "\n" not in demo
    assert "pytest" in tests and "\n" not in tests
    assert tests in (ROOT / ".ci" / "run").read_text().splitlines()


def test_readme_checks_table_is_the_catalogue():
    readme = (ROOT / "README.md").read_text()
    expected = render_catalogue_markdown(catalogue())
    if os.environ.get("UPDATE_README"):
        readme = TABLE.sub(lambda m: m.group(1) + expected + m.group(3), readme)
        (ROOT / "README.md").write_text(readme)
    match = TABLE.search(readme)
    assert match, "README lacks the checks markers"
    assert match.group(2) == expected, "README checks table is stale: UPDATE_README=1 pytest tests/test_readme.py"
