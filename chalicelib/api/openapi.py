"""The OpenAPI 3 document, built from the operations every route registered."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.api.routing import Routes
from chalicelib.domain.jobs import ACCESS_TYPES, REGISTRATION_MODES, STATUSES

routes = Routes(__name__, tag="meta")

_DATE = {"type": "string", "format": "date"}
_ID = {"type": "string", "nullable": True}
SCHEMAS: dict[str, Any] = {
    "JobInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "description": "shown to parents"},
            "shooting_date": _DATE,
            "job_type": {"type": "string"},
            "internal_name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"},
            "timezone": {"type": "string", "example": "Europe/Berlin"},
            "people_expected": {"type": "integer", "minimum": 0},
            "contractee_id": _ID,
            "contractee": {"$ref": "#/components/schemas/ContracteeInput"},
            "access_type": {"type": "string", "enum": list(ACCESS_TYPES)},
            "registration": {"type": "string", "enum": list(REGISTRATION_MODES)},
            "price_profile_id": _ID,
            "communication_profile_id": _ID,
            "watermark": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "text": {"type": "string"},
                    "image_key": {"type": "string"},
                    "opacity": {"type": "number", "minimum": 0.05, "maximum": 1},
                },
            },
            "archive_date": {**_DATE, "nullable": True},
            "voucher_deadline": {**_DATE, "nullable": True},
            "prepay": {"type": "boolean"},
            "prepay_deadline": {**_DATE, "nullable": True},
        },
    },
    "ContracteeInput": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "address": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "phone": {"type": "string", "example": "+49 30 1234567"},
            "contact_person": {"type": "string"},
            "commission_rate": {"type": "number", "minimum": 0, "maximum": 1},
            "sales_access": {"type": "boolean"},
        },
    },
    "StatusChange": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": list(STATUSES)},
            "force": {"type": "boolean", "description": "start selling despite the checklist"},
        },
    },
    "Login": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
    },
    "Refresh": {
        "type": "object",
        "required": ["refresh_token"],
        "properties": {"refresh_token": {"type": "string"}},
    },
    "UploadRequest": {
        "type": "object",
        "required": ["files"],
        "properties": {
            "files": {
                "type": "array",
                "maxItems": 100,
                "items": {
                    "type": "object",
                    "required": ["name", "size", "content_type"],
                    "properties": {
                        "name": {"type": "string"},
                        "size": {"type": "integer", "minimum": 1},
                        "content_type": {
                            "type": "string",
                            "enum": ["image/jpeg", "image/png", "image/tiff", "image/heic"],
                        },
                        "album": {"type": "string", "description": "folder name, e.g. class"},
                    },
                },
            }
        },
    },
    "MultipartComplete": {
        "type": "object",
        "required": ["key", "upload_id", "parts"],
        "properties": {
            "key": {"type": "string"},
            "upload_id": {"type": "string"},
            "parts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "part_number": {"type": "integer"},
                        "etag": {"type": "string"},
                    },
                },
            },
        },
    },
    "MultipartAbort": {
        "type": "object",
        "required": ["key", "upload_id"],
        "properties": {"key": {"type": "string"}, "upload_id": {"type": "string"}},
    },
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    },
}


def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in Routes.operations:
        operation: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"{(\w+)}", op.path)
            ]
            + [
                {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
                for name in op.query
            ],
            "responses": {
                "default": {
                    "description": "error",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
                "200": {"description": "success"},
            },
        }
        if op.request_schema:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{op.request_schema}"}
                    }
                },
            }
        if op.auth:
            operation["security"] = [{"cognitoIdToken": []}]
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "photojobs API", "version": "0.1.0"},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "cognitoIdToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


@routes.api("/api/openapi.json", auth=False)
def openapi(request: Any) -> dict[str, Any]:
    """This OpenAPI document."""
    return openapi_document()


@routes.api("/api/health", auth=False)
def health(request: Any) -> dict[str, Any]:
    """Liveness check."""
    return {"status": "ok"}
