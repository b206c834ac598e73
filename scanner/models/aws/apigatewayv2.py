"""API Gateway v2 (HTTP and WebSocket APIs) facts: stages with their logging settings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class ApiStage(Resource):
    """One stage of an HTTP or WebSocket API; `name` is "<api name>/<stage name>"."""

    api_id: str
    api_name: str
    protocol_type: str  # HTTP | WEBSOCKET
    stage_name: str
    access_log_destination: str | None = None
    access_log_format: str | None = None
    default_logging_level: str | None = None  # WebSocket execution logging: OFF | ERROR | INFO


class ApiGatewayV2(BaseModel):
    stages: list[ApiStage] = Field(default_factory=list)
