"""Application and network load balancers (aws_lb / aws_alb) with their listeners."""

from __future__ import annotations

from typing import Any

from scanner.models.aws.elbv2 import Listener, LoadBalancer
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_bool, identity, name_or_address
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown

LB_TYPES = ("aws_lb", "aws_alb")
LISTENER_TYPES = ("aws_lb_listener", "aws_alb_listener")


@identity(*LB_TYPES)
def _lb_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    kind = {"application": "app", "network": "net", "gateway": "gwy"}.get(str(tf.values.get("load_balancer_type") or "application"), "app")
    arn = f"arn:aws:elasticloadbalancing:{ctx.region(tf)}::loadbalancer/{kind}/{name}/{tf.address}"
    return {"name": name, "arn": arn, "id": arn}


@identity("aws_subnet")
def _subnet_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    zone = tf.values.get("availability_zone")
    return {"id": tf.address, **({"availability_zone": zone} if isinstance(zone, str) else {})}


def _listener(ctx: Context, tf: TfResource) -> Listener | Unknown:
    values = tf.values
    protocol = values.get("protocol")
    port = values.get("port")
    actions = values.get("default_action") or []
    ssl_policy = values.get("ssl_policy")
    if isinstance(protocol, Unknown) or isinstance(actions, Unknown):
        return protocol if isinstance(protocol, Unknown) else actions
    types = [a.get("type") for a in actions if isinstance(a.get("type"), str)]
    redirect: Any = None
    if types[:1] == ["redirect"]:
        redirect = ((actions[0].get("redirect") or [{}])[0]).get("protocol")
        if isinstance(redirect, Unknown):
            return redirect
        redirect = redirect or "#{protocol}"
    if protocol is None:
        protocol = "HTTPS" if values.get("certificate_arn") is not None else "HTTP"
    return Listener(
        arn=f"listener/{tf.address}",
        port=int(port) if isinstance(port, (int, float)) and not isinstance(port, bool) else None,
        protocol=str(protocol),
        ssl_policy=ssl_policy if isinstance(ssl_policy, str) else ("ELBSecurityPolicy-2016-08" if protocol in ("HTTPS", "TLS") else None),
        default_action_types=types,
        redirect_protocol=redirect,
    )


@adapter(
    "aws.elbv2.load_balancers",
    [*LB_TYPES, *LISTENER_TYPES],
    unsupported_facets={"ssl_policies": "the protocols of an ELB security policy are published by AWS, not declared in Terraform"},
)
def load_balancers(ctx: Context) -> list[LoadBalancer]:
    out = []
    for tf in ctx.of_type(*LB_TYPES):
        f = Fields(ctx, tf)
        ident = ctx.identity_of(tf)
        f.get("type", "load_balancer_type", default="application")
        internal = tf.values.get("internal")
        f.set("scheme", "internal" if internal is True else "internet-facing")
        zones, reasons = [], []
        subnets = tf.values.get("subnets")
        mappings = tf.values.get("subnet_mapping")
        refs = subnets if isinstance(subnets, list) else [m.get("subnet_id") for m in mappings] if isinstance(mappings, list) else []
        if isinstance(subnets, Unknown):
            reasons.append(str(subnets))
        for ref in refs:
            target = ctx.referenced(tf, ref)
            zone = ctx.identity_of(target).get("availability_zone") if target else None
            if zone:
                zones.append(zone)
            else:
                reasons.append(f"the Availability Zone of subnet {ref if isinstance(ref, str) else getattr(ref, 'address', ref)} is not declared")
        f.set("availability_zones", sorted(set(zones)), tf=tf, path="subnets" if subnets is not None else "subnet_mapping")
        if reasons:
            f.unresolved["availability_zones"] = f"{tf.address}: " + "; ".join(reasons)
        listeners = []
        for listener_tf in ctx.referrers(tf, LISTENER_TYPES, "load_balancer_arn", "arn", "id"):
            listener = _listener(ctx, listener_tf)
            if isinstance(listener, Unknown):
                f.unresolved["listeners"] = f"{listener_tf.address}: {listener}"
            else:
                listeners.append(listener)
        f.set("listeners", sorted(listeners, key=lambda x: x.arn))
        f.get("access_logs_enabled", "access_logs.enabled", default=False, convert=as_bool)
        f.get("access_logs_bucket", "access_logs.bucket", ref=True)
        f.get("deletion_protection", "enable_deletion_protection", default=False, convert=as_bool)
        out.append(f.build(LoadBalancer, id=ident["arn"], name=ident["name"]))
    return out
