"""The terminal table: it fits the terminal (COLUMNS), shows what needs action first with the deciding
detail in full, folds the rest into counts (-v lists everything), prints every value literally (rich
markup in a region, a name or a reason is text, not style), and counts in proper plurals."""

from __future__ import annotations

import io

import pytest

from scanner.formatters import table
from scanner.models.report import CollectionError
from tests.inprocess import run
from tests.report_factory import finding, report

LONG_REASON = (
    "bucket policy allows s3:GetObject to Principal * without aws:SecureTransport; "
    "statement AllowPublicRead in the policy of [prod-data] grants it, see [/bold] and [red]x[/red] for details"
)


def sample(**extra):
    findings = [
        finding("aws.s3.bucket_versioning", "[red]prod-data", "FAIL", message=LONG_REASON),
        finding("aws.s3.bucket_versioning", "archive", "PASS"),
        finding("aws.ec2.volume_encrypted", "vol-1", "ERROR", message="access denied to ec2:DescribeVolumes in us-east-1"),
        finding("aws.iam.root_mfa_enabled", "root", "PASS"),
        finding("aws.s3.bucket_access_logging", "logs", "NOT_APPLICABLE", message="no buckets"),
    ]
    built = report(*findings)
    errors = [CollectionError(key="aws.ec2.volumes", scope="us-east-1", state="failed", reason="access denied [/x] to ec2:DescribeVolumes")]
    return built.model_copy(update={"collection_errors": errors, **extra})


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_every_line_fits_the_width(width):
    text = table.render(sample(), width=width)
    assert max(len(line) for line in text.splitlines()) <= width, text


def test_columns_sets_the_width_on_a_pipe(monkeypatch):
    monkeypatch.setenv("COLUMNS", "72")
    text = table.render(sample())
    assert max(len(line) for line in text.splitlines()) <= 72, text
    monkeypatch.setenv("COLUMNS", "300")
    wide = table.render(sample())
    assert any(LONG_REASON in line for line in wide.splitlines()), "a wide terminal gets the reason on one line"


def test_values_are_printed_literally_and_never_crash_the_table():
    text = flat(table.render(sample(), width=100))
    assert LONG_REASON in text, "the deciding detail is shown in full, markup and all"
    assert "[red]prod-data" in text
    assert "aws.ec2.volumes [us-east-1]: access denied [/x] to ec2:DescribeVolumes" in text


def test_what_needs_action_comes_first_and_the_rest_is_counted():
    text = table.render(sample(), width=100)
    assert text.index("FAIL") < text.index("PASS")
    # PASS-only and not-applicable checks are counted, not listed; manual criteria too
    assert "aws.iam.root_mfa_enabled" not in text and "aws.s3.bucket_access_logging" not in text
    assert "1 check passed" in text and "1 not applicable" in text and "-v" in text
    assert "CC1.1" not in text
    everything = table.render(sample(), width=100, verbose=True)
    assert "aws.iam.root_mfa_enabled" in everything and "aws.s3.bucket_access_logging" in everything and "CC1.1" in everything


def test_plurals():
    one = report(finding("aws.s3.bucket_versioning", "only", "FAIL"))
    text = table.render(one, width=100)
    assert "1 finding:" in text and "1 findings" not in text
    two = table.render(sample(), width=100)
    assert "5 findings:" in two


def test_check_messages_count_in_plurals():
    from scanner.text import count

    assert (count(1, "day"), count(2, "day"), count(0, "day"), count(1.0, "day"), count(1.5, "day")) == (
        "1 day", "2 days", "0 days", "1 day", "1.5 days",
    )  # fmt: skip


def test_progress_shows_the_scope_literally():
    from rich.console import Console

    from scanner.cli.progress import Progress

    buffer = io.StringIO()
    progress = Progress(enabled=True, console=Console(file=buffer, force_terminal=True, width=100))
    with progress:
        progress("aws.s3.buckets", "us-east-1", 1, 2)
        progress._progress.refresh()
    assert "aws.s3.buckets [us-east-1]" in buffer.getvalue()


def test_the_cli_table_follows_columns_and_verbose(tmp_path, moto_endpoint, monkeypatch):
    from scanner.demo.aws import reset
    from scanner.snapshot import dump_snapshot
    from tests.conftest import MotoAccount

    reset(moto_endpoint)
    account = MotoAccount(moto_endpoint)
    account.client("s3").create_bucket(Bucket="plain")
    inventory, _ = account.collect(["aws.s3.bucket_versioning", "aws.rds.multi_az"])
    snapshot = tmp_path / "snap.json"
    snapshot.write_text(dump_snapshot(inventory))
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run("evaluate", str(snapshot))
    assert code == 1 and max(len(line) for line in out.splitlines()) <= 80, out
    assert "aws.rds.multi_az" not in out  # not applicable: counted, not listed
    code, out, _ = run("evaluate", str(snapshot), "-v")
    assert "aws.rds.multi_az" in out

