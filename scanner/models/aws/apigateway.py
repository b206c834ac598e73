"""API Gateway (REST APIs) facts: stages with their logging and client certificate, custom domain names."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class RestStage(Resource):
    """One stage of a REST API; `name` is "<api name>/<stage name>"."""

    api_id: str
    api_name: str
    stage_name: str
    client_certificate_id: str | None = None  # certificate API Gateway presents to the integration backend
    execution_logging_level: str | None = None  # methodSettings["*/*"].loggingLevel: OFF | ERROR | INFO
    method_logging_levels: dict[str, str] = Field(default_factory=dict)  # per-method overrides ("/path/GET": "OFF")
    data_trace_enabled: bool = False
    access_log_destination: str | None = None
    access_log_format: str | None = None
    tracing_enabled: bool = False
    web_acl_arn: str | None = None


class DomainName(Resource):
    security_policy: str | None = None  # TLS_1_0 | TLS_1_2 | SecurityPolicy_TLS13_...
    endpoint_types: list[str] = Field(default_factory=list)  # EDGE | REGIONAL | PRIVATE


class ApiGateway(BaseModel):
    stages: list[RestStage] = Field(default_factory=list)
    domain_names: list[DomainName] = Field(default_factory=list)
