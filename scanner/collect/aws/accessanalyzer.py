"""IAM Access Analyzer (regional): one record per region listing its analyzers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.accessanalyzer import Analyzer, AnalyzerRegion

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.accessanalyzer.regions", regional=True, permissions=["access-analyzer:ListAnalyzers"])
def regions(scope: AwsScope) -> list[AnalyzerRegion]:
    analyzers = scope.pages("accessanalyzer", "ListAnalyzers", "analyzers")
    return [
        AnalyzerRegion(
            id=scope.arn("access-analyzer", "analyzers"),
            name=f"IAM Access Analyzer ({scope.region})",
            region=scope.region,
            account=scope.account,
            analyzers=[
                Analyzer(name=a["name"], arn=a["arn"], type=a["type"], status=a.get("status", "ACTIVE"))
                for a in analyzers
            ],
        )
    ]
