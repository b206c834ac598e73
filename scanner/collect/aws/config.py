"""AWS Config (regional): configuration recorders, their status, and delivery channels; one record per region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.config import ConfigRecording, DeliveryChannel, Recorder

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.config.recording",
    regional=True,
    permissions=["config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"],
    facets={
        "delivery_channels": facet(["config:DescribeDeliveryChannels"], ["delivery_channels"]),
    },
)
def recording(scope: AwsScope) -> list[ConfigRecording]:
    recorders = scope.call("config", "DescribeConfigurationRecorders").get("ConfigurationRecorders", [])
    statuses = {}
    if recorders:
        statuses = {
            s["name"]: s
            for s in scope.call("config", "DescribeConfigurationRecorderStatus").get("ConfigurationRecordersStatus", [])
        }
    fields, errors = read_facets(
        scope,
        "config",
        scope.region,
        {"delivery_channels": lambda: _delivery_channels(scope.call("config", "DescribeDeliveryChannels"))},
    )
    return [
        ConfigRecording(
            id=scope.arn("config", "configuration-recorders"),
            name=f"AWS Config ({scope.region})",
            region=scope.region,
            account=scope.account,
            recorders=[_recorder(r, statuses.get(r.get("name", ""), {})) for r in recorders],
            errors=errors,
            **fields,
        )
    ]


def _recorder(recorder: dict[str, Any], status: dict[str, Any]) -> Recorder:
    group = recorder.get("recordingGroup") or {}
    strategy = (group.get("recordingStrategy") or {}).get("useOnly")
    return Recorder(
        name=recorder.get("name", "default"),
        role_arn=recorder.get("roleARN"),
        all_supported=bool(group.get("allSupported")),
        include_global_resource_types=bool(group.get("includeGlobalResourceTypes")),
        resource_types=group.get("resourceTypes") or [],
        excluded_resource_types=(group.get("exclusionByResourceTypes") or {}).get("resourceTypes") or [],
        recording_strategy=strategy,
        recording_scope=recorder.get("recordingScope"),
        service_principal=recorder.get("servicePrincipal"),
        recording=bool(status.get("recording")),
        last_status=status.get("lastStatus"),
        last_error_code=status.get("lastErrorCode"),
    )


def _delivery_channels(response: dict[str, Any]) -> dict[str, Any]:
    return {
        "delivery_channels": [
            DeliveryChannel(
                name=c.get("name", "default"), s3_bucket_name=c.get("s3BucketName"), sns_topic_arn=c.get("snsTopicARN")
            )
            for c in response.get("DeliveryChannels", [])
        ]
    }
