"""The HTTP edge: every route goes through :class:`Routes`, which authenticates the caller,
parses the JSON body, and maps domain errors to HTTP responses — once, here."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, CORSConfig, Response

from chalicelib import errors, wiring
from chalicelib.domain.communication.errors import CommunicationError

logger = Logger(service="photojobs-api")
metrics = Metrics(namespace="photojobs", service="photojobs-api")

_STATUS_BY_ERROR: list[tuple[type[errors.DomainError], int]] = [
    (errors.ValidationFailed, 400),
    (errors.InvalidCursor, 400),
    (CommunicationError, 400),  # an offset, phone number, template or unsubscribe link
    (errors.InvalidSignature, 400),
    (errors.BadRequest, 400),
    (errors.Unauthorized, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.PayloadTooLarge, 413),
    (errors.Unprocessable, 422),
    (errors.TooManyAttempts, 429),
    (errors.ServiceUnavailable, 503),
]


@dataclass(frozen=True)
class Operation:
    """What the OpenAPI document says about a route."""

    path: str
    method: str
    summary: str
    auth: bool
    tag: str
    request_schema: str | None = None
    query: tuple[str, ...] = ()
    security: str = "cognitoIdToken"  # the OpenAPI security scheme of auth routes


@dataclass
class ApiRequest:
    principal: Any  # Principal when the route needs auth, else None
    query: dict[str, str]
    raw_body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    source_ip: str | None = None  # the peer API Gateway saw (requestContext.identity)

    @property
    def json(self) -> Any:
        if not self.raw_body:
            return {}
        try:
            return json.loads(self.raw_body)
        except ValueError as exc:
            raise errors.ValidationFailed(
                [{"field": "body", "reason": "is not valid JSON"}]
            ) from exc


def error_response(exc: errors.DomainError) -> Response:
    status = next(code for kind, code in _STATUS_BY_ERROR if isinstance(exc, kind))
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="photojobs"'
    if isinstance(exc, errors.TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    body = {"error": exc.code, "message": exc.message, **exc.details}
    return Response(body=body, status_code=status, headers=headers)


class Routes(Blueprint):
    """A blueprint whose views take an :class:`ApiRequest` and return JSON-able data."""

    operations: list[Operation] = []  # shared by every blueprint: the OpenAPI source

    def __init__(
        self,
        import_name: str,
        tag: str,
        *,
        verifier: Callable[[], Any] | None = None,
        security: str = "cognitoIdToken",
        cors: bool | CORSConfig = True,
        site_origin: Callable[[], str] | None = None,
    ) -> None:
        """``verifier()`` gives the object whose ``verify(authorization)`` authenticates auth
        routes (default: Cognito ID tokens). With ``site_origin``, every answer names that one
        origin in ``Access-Control-Allow-Origin`` (the preflight is answered from ``cors``)."""
        super().__init__(import_name)
        self.tag = tag
        self._verifier = verifier or wiring.token_verifier
        self._security = security
        self._cors = cors
        self._site_origin = site_origin

    def api(
        self,
        path: str,
        method: str = "GET",
        *,
        auth: bool = True,
        status: int = 200,
        request_schema: str | None = None,
        query: tuple[str, ...] = (),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            summary = (view.__doc__ or view.__name__).strip().splitlines()[0]
            Routes.operations.append(
                Operation(
                    path, method, summary, auth, self.tag, request_schema, query, self._security
                )
            )

            @functools.wraps(view)
            def handle(**params: str) -> Response:
                return self._handle(view, auth, status, params)

            self.route(path, methods=[method], cors=self._cors)(handle)
            return view

        return register

    def _handle(
        self, view: Callable[..., Any], auth: bool, status: int, params: dict[str, str]
    ) -> Response:
        request = self.current_request
        headers = {k.lower(): v for k, v in (request.headers or {}).items()}
        logger.set_correlation_id(request.context.get("requestId"))
        metrics.add_dimension(name="route", value=view.__name__)
        try:
            principal = None
            if auth:
                principal = self._verifier().verify(headers.get("authorization"))
                logger.append_keys(studio_id=principal.studio_id)
            raw_body = request.raw_body or b""
            if isinstance(raw_body, str):
                raw_body = raw_body.encode()
            identity = (request.context or {}).get("identity") or {}
            api_request = ApiRequest(
                principal,
                dict(request.query_params or {}),
                raw_body,
                headers,
                source_ip=identity.get("sourceIp"),
            )
            result = view(api_request, **params)
            metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
            if isinstance(result, Response):
                return self._with_origin(result)
            return self._with_origin(Response(body=result, status_code=status))
        except errors.DomainError as exc:
            logger.info("request refused", extra={"error": exc.code, "route": view.__name__})
            metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
            return self._with_origin(error_response(exc))
        except Exception:
            logger.exception("unhandled error", extra={"route": view.__name__})
            metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
            return Response(
                body={"error": "internal_error", "message": "an internal error occurred"},
                status_code=500,
            )
        finally:
            metrics.flush_metrics()
            metrics.clear_metrics()
            logger.remove_keys(["studio_id"])

    def _with_origin(self, response: Response) -> Response:
        if self._site_origin is not None:
            response.headers["Access-Control-Allow-Origin"] = self._site_origin()
            response.headers["Vary"] = "Origin"
        return response


def page_params(request: ApiRequest, *, default_limit: int = 25) -> tuple[int, str | None]:
    raw = request.query.get("limit", str(default_limit))
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise errors.ValidationFailed([{"field": "limit", "reason": "must be between 1 and 100"}])
    return int(raw), request.query.get("cursor") or None
