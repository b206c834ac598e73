"""CloudTrail trails and CloudWatch Logs log groups."""

from __future__ import annotations

from typing import Any

from scanner.models.aws.cloudtrail import AdvancedEventSelector, DataResource, EventSelector, FieldSelector, Trail
from scanner.models.aws.logs import LogGroup
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_bool, as_int, identity, name_or_address, not_expressible
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown, contains_unknown

not_expressible(
    "aws.cloudtrail.cloudwatch_logs_delivery",
    "whether CloudTrail is delivering to CloudWatch Logs is known from the live trail's status only",
)


@identity("aws_cloudwatch_log_group")
def _group_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    arn = f"arn:aws:logs:{ctx.region(tf)}::log-group:{name}"
    return {"name": name, "id": name, "arn": arn}


@identity("aws_cloudtrail")
def _trail_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    arn = f"arn:aws:cloudtrail:{ctx.region(tf)}::trail/{name}"
    return {"name": name, "id": arn, "arn": arn}


@adapter("aws.logs.log_groups", ["aws_cloudwatch_log_group"])
def log_groups(ctx: Context) -> list[LogGroup]:
    out = []
    for tf in ctx.of_type("aws_cloudwatch_log_group"):
        f = Fields(ctx, tf)
        days = f.get("retention_days", "retention_in_days", convert=as_int, note="a log group without retention_in_days never expires events")
        if days == 0:
            f.values["retention_days"] = None
        f.get("kms_key_id", ref=True)
        ident = ctx.identity_of(tf)
        out.append(f.build(LogGroup, id=ident["arn"], name=ident["name"]))
    return out


def _selectors(blocks: list[dict[str, Any]]) -> list[EventSelector]:
    out = []
    for block in blocks:
        out.append(
            EventSelector(
                read_write_type=block.get("read_write_type") or "All",
                include_management_events=block.get("include_management_events") is not False,
                data_resources=[
                    DataResource(type=d.get("type"), values=sorted(d.get("values") or [])) for d in block.get("data_resource") or []
                ],
                exclude_management_event_sources=sorted(block.get("exclude_management_event_sources") or []),
            )
        )
    return out


def _advanced(blocks: list[dict[str, Any]]) -> list[AdvancedEventSelector]:
    out = []
    for block in blocks:
        fields = []
        for item in block.get("field_selector") or []:
            fields.append(
                FieldSelector(
                    field=item.get("field"),
                    **{k: sorted(item.get(k) or []) for k in ("equals", "starts_with", "ends_with", "not_equals", "not_starts_with", "not_ends_with")},
                )
            )
        out.append(AdvancedEventSelector(name=block.get("name"), field_selectors=fields))
    return out


@adapter(
    "aws.cloudtrail.trails",
    ["aws_cloudtrail"],
    absent="no aws_cloudtrail in the configuration: the account's trails are managed elsewhere, or there are none",
)
def trails(ctx: Context) -> list[Trail]:
    out = []
    for tf in ctx.of_type("aws_cloudtrail"):
        f = Fields(ctx, tf)
        ident = ctx.identity_of(tf)
        f.set("home_region", ctx.region(tf))
        f.get("is_multi_region", "is_multi_region_trail", default=False, convert=as_bool)
        f.get("is_organization_trail", default=False, convert=as_bool)
        f.get(
            "is_logging",
            "enable_logging",
            default=True,
            convert=as_bool,
            note="Terraform starts logging on apply (enable_logging defaults to true); whether the live trail logs is judged on the account",
        )
        f.get("log_file_validation_enabled", "enable_log_file_validation", default=False, convert=as_bool)
        f.get("kms_key_id", ref=True)
        f.get("s3_bucket_name", ref=True, placeholder="(known after apply)")
        group = tf.values.get("cloud_watch_logs_group_arn")
        if isinstance(group, Unknown) and not isinstance(ctx.ref(tf, group), str):
            f.get("cloudwatch_logs_log_group_arn", "cloud_watch_logs_group_arn", placeholder="(known after apply)")
        elif group is not None:
            arn = ctx.ref(tf, group)
            f.set("cloudwatch_logs_log_group_arn", str(arn).removesuffix(":*"), tf=tf, path="cloud_watch_logs_group_arn")
        f.get("include_global_service_events", default=True, convert=as_bool)
        basic = tf.values.get("event_selector") or []
        advanced = tf.values.get("advanced_event_selector") or []
        if isinstance(basic, Unknown) or contains_unknown(basic):
            f.get("event_selectors", "event_selector", default=[])
        elif basic:
            f.set("event_selectors", _selectors(basic), tf=tf, path="event_selector")
        elif not advanced:
            f.set("event_selectors", [EventSelector()], note="a trail without selectors records all management events (read and write)")
        if isinstance(advanced, Unknown) or contains_unknown(advanced):
            f.get("advanced_event_selectors", "advanced_event_selector", default=[])
        elif advanced:
            f.set("advanced_event_selectors", _advanced(advanced), tf=tf, path="advanced_event_selector")
        out.append(f.build(Trail, id=ident["arn"], name=ident["name"]))
    return out
