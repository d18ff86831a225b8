"""The OpenAPI 3 document, built from the operations every route registered."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.api.routing import Routes
from chalicelib.domain.communication.profiles import Audience, Channel, Trigger
from chalicelib.domain.jobs import ACCESS_TYPES, REGISTRATION_MODES, STATUSES

routes = Routes(__name__, tag="meta")

_DATE = {"type": "string", "format": "date"}
_ID = {"type": "string", "nullable": True}
# The lines and contact of an order, shared by every body that carries them (orders, quotes, carts).
_ORDER_LINE = {
    "type": "object",
    "required": ["photo_id", "product_id"],
    "properties": {
        "photo_id": {"type": "string"},
        "product_id": {"type": "string"},
        "quantity": {"type": "integer", "minimum": 1, "maximum": 99},
    },
}
_ORDER_LINES = {"type": "array", "minItems": 1, "maxItems": 200, "items": _ORDER_LINE}
_CONTACT = {
    "type": "object",
    "required": ["name", "email"],
    "properties": {
        "name": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "phone": {"type": "string", "nullable": True},
    },
}
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
            "recreates": {
                "type": "string",
                "nullable": True,
                "maxLength": 120,
                "description": "the deleted job this one replaces (its internal name or id): "
                "starting to sell announces 'your photos are back online' with the new codes "
                "to the name list's contacts too",
            },
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
                            "enum": ["image/jpeg", "image/png"],
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
        "description": "upload_id only for multipart uploads; without it a presigned POST "
        "that was given up is marked failed",
        "required": ["key"],
        "properties": {"key": {"type": "string"}, "upload_id": {"type": "string"}},
    },
    "ReviewAction": {
        "type": "object",
        "required": ["action"],
        "description": "move_photo: photo_id(s) + subject_id(s) ([] for nobody) or album; "
        "assign_subject: photo_id + subject_id(s), card (true: an unreadable card, hidden; "
        "false: the first portrait of manual tagging); mark_group: photo_id(s), class_name "
        "(default: the album's class); exclude_photo: photo_id(s); accept_flag: flag (its key); "
        "clear: photo_id(s) or flag",
        "properties": {
            "action": {
                "type": "string",
                "enum": [
                    "move_photo",
                    "assign_subject",
                    "mark_group",
                    "exclude_photo",
                    "accept_flag",
                    "clear",
                ],
            },
            "photo_id": {"type": "string"},
            "photo_ids": {"type": "array", "items": {"type": "string"}, "maxItems": 100},
            "subject_id": {"type": "string"},
            "subject_ids": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
            "album": {"type": "string"},
            "class_name": {"type": "string", "nullable": True},
            "card": {"type": "boolean"},
            "flag": {"type": "string"},
        },
    },
    "RosterImport": {
        "type": "object",
        "required": ["content_base64"],
        "description": "A names list: CSV (UTF-8, UTF-16 or Windows-1252; , ; or tab) or XLSX, "
        "at most 10 MB. Bad rows: 422 with errors [{line, column, message}]; nothing is stored.",
        "properties": {
            "filename": {"type": "string", "example": "class-3a.xlsx"},
            "content_base64": {"type": "string", "format": "byte"},
            "dry_run": {"type": "boolean", "description": "report only, store nothing"},
        },
    },
    "BlankSubjects": {
        "type": "object",
        "properties": {
            "spares": {"type": "integer", "minimum": 0, "maximum": 5000},
            "class_name": {"type": "string"},
        },
    },
    "SubjectChanges": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
            "class_name": {"type": "string"},
            "external_id": {"type": "string", "nullable": True},
            "emails": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
            "phones": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
        },
    },
    "DocumentRequest": {
        "type": "object",
        "properties": {
            "class_name": {"type": "string", "description": "only this class (large jobs)"}
        },
    },
    "PriceProfileInput": {
        "type": "object",
        "additionalProperties": False,
        "description": "name and currency are required when creating; products, when given, "
        "replace the whole list. The name is never shown to customers.",
        "properties": {
            "name": {"type": "string", "maxLength": 120},
            "currency": {"type": "string", "example": "EUR", "description": "ISO 4217"},
            "products": {
                "type": "array",
                "maxItems": 200,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind", "name", "price_minor"],
                    "properties": {
                        "product_id": {
                            "type": "string",
                            "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
                            "description": "stable id in the profile; derived from the name "
                            "and size when not given",
                        },
                        "kind": {"type": "string", "enum": ["print", "download", "package"]},
                        "name": {"type": "string"},
                        "price_minor": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "minor units: 1250 is 12.50 EUR",
                        },
                        "size": {"type": "string", "description": "prints only, e.g. 13x18"},
                        "items": {
                            "type": "array",
                            "description": "packages only: prints and downloads of the profile",
                            "maxItems": 20,
                            "items": {
                                "type": "object",
                                "required": ["product_id"],
                                "properties": {
                                    "product_id": {"type": "string"},
                                    "quantity": {"type": "integer", "minimum": 1, "maximum": 99},
                                },
                            },
                        },
                        "lab_code": {"type": "string", "nullable": True},
                    },
                },
            },
        },
    },
    "PriceProfileCopy": {
        "type": "object",
        "properties": {"name": {"type": "string", "description": "default: '<name> (copy)'"}},
    },
    "VoucherInput": {
        "type": "object",
        "additionalProperties": False,
        "description": "A percent or a fixed amount_minor (with its currency; a job voucher "
        "defaults to the job's price-list currency). code only when creating (case-insensitive, "
        "unique in the studio). valid_until is the last day, inclusive, in the job's time zone; "
        "a job voucher without one follows the job's voucher_deadline.",
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$"},
            "percent": {"type": "integer", "minimum": 1, "maximum": 100, "nullable": True},
            "amount_minor": {"type": "integer", "minimum": 1, "nullable": True},
            "currency": {"type": "string", "example": "EUR", "nullable": True},
            "min_order_minor": {"type": "integer", "minimum": 0},
            "valid_until": {**_DATE, "nullable": True},
            "once_per_access_code": {"type": "boolean"},
        },
    },
    "QuoteRequest": {
        "type": "object",
        "required": ["lines"],
        "description": "Prices come from the job's price profile; prices sent by a client "
        "(unit_price_minor, total_minor, ...) are ignored.",
        "properties": {
            "lines": _ORDER_LINES,
            "voucher": {"type": "string", "nullable": True},
            "access_code": {
                "type": "string",
                "nullable": True,
                "description": "checks a once-per-code voucher against this code's redemptions",
            },
        },
    },
    "CommunicationProfileInput": {
        "type": "object",
        "additionalProperties": False,
        "description": "name and steps when creating. Offsets: -P3D (3 days before), P2D "
        "(2 days after), P0D (at once); also '3 days before'. Templates: "
        "chalicelib/templates/messages/<locale>/<template_id>.*",
        "properties": {
            "name": {"type": "string", "description": "never shown to customers"},
            "locale": {"type": "string", "enum": ["en", "de"]},
            "quiet_hours": {
                "type": "object",
                "nullable": True,
                "description": "local time of each job; null: none (default 21:00-08:00)",
                "properties": {
                    "start": {"type": "string", "example": "21:00"},
                    "end": {"type": "string", "example": "08:00"},
                },
            },
            "steps": {
                "type": "array",
                "maxItems": 30,
                "items": {
                    "type": "object",
                    "required": [
                        "step_id",
                        "trigger",
                        "offset",
                        "channel",
                        "audience",
                        "template_id",
                    ],
                    "properties": {
                        "step_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,20}$"},
                        "trigger": {"type": "string", "enum": [t.value for t in Trigger]},
                        "offset": {"type": "string", "example": "-P3D"},
                        "channel": {"type": "string", "enum": [c.value for c in Channel]},
                        "audience": {"type": "string", "enum": [a.value for a in Audience]},
                        "template_id": {"type": "string", "example": "archive_due"},
                    },
                },
            },
        },
    },
    "StripeEvent": {
        "type": "object",
        "description": "A Stripe event as Stripe delivers it, with a Stripe-Signature header "
        "(t=<unix time>,v1=<HMAC-SHA256 of '<t>.<raw body>' with the endpoint's signing "
        "secret>, at most 300 s old); a missing or wrong signature: 400 invalid_signature. "
        "checkout.session.completed and checkout.session.async_payment_succeeded with "
        "payment_status 'paid' mark the order in metadata.order_id paid (again: a no-op); "
        "another amount or currency: 409 payment_mismatch, the order stays unpaid; other "
        "events: 200, ignored.",
        "required": ["id", "type", "data"],
        "properties": {
            "id": {"type": "string", "example": "evt_1PqR..."},
            "type": {"type": "string", "example": "checkout.session.completed"},
            "data": {
                "type": "object",
                "properties": {
                    "object": {
                        "type": "object",
                        "description": "the Checkout Session",
                        "properties": {
                            "id": {"type": "string", "example": "cs_test_a1..."},
                            "payment_status": {"type": "string", "example": "paid"},
                            "amount_total": {"type": "integer"},
                            "currency": {"type": "string", "example": "eur"},
                            "client_reference_id": {"type": "string"},
                            "metadata": {
                                "type": "object",
                                "properties": {
                                    "order_id": {"type": "string"},
                                    "job_id": {"type": "string"},
                                },
                            },
                        },
                    }
                },
            },
        },
    },
    "ShopSessionRequest": {
        "type": "object",
        "required": ["code"],
        "description": "An access code as printed (case, spaces and dashes do not matter). With "
        "a session token in Authorization, the code is added to that session (a sibling); the "
        "answer always carries a new token. 400 invalid_code (typo caught by the check "
        "character), 401 unknown_code, 400 different_studio, 429 too_many_attempts with "
        "Retry-After.",
        "properties": {"code": {"type": "string", "example": "K7M4-Q9PX-2HTR"}},
    },
    "ShopRegistration": {
        "type": "object",
        "required": ["job_id", "first_name", "last_name", "email", "marketing_consent"],
        "properties": {
            "job_id": {"type": "string"},
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "phone": {"type": "string", "nullable": True, "example": "+49 30 1234567"},
            "marketing_consent": {"type": "boolean"},
        },
    },
    "ShopOrder": {
        "type": "object",
        "required": ["job_id", "lines", "contact"],
        "description": "Priced by the server from the job's price list: prices and totals a "
        "client sends are ignored. Photos must be in the session's gallery (404 otherwise); "
        "409 not_open_for_orders with reason; 422 voucher_refused with reason. A total of 0 "
        "is paid at once (payment method free, no provider asked).",
        "properties": {
            "job_id": {"type": "string"},
            "lines": _ORDER_LINES,
            "voucher": {"type": "string", "nullable": True},
            "contact": _CONTACT,
        },
    },
    "ShopQuote": {
        "type": "object",
        "required": ["job_id", "lines"],
        "description": "An order's body without the contact (sent along, it is ignored): "
        "priced exactly as POST /shop/orders would price it now, voucher applied; nothing is "
        "stored. Answers lines, subtotal_minor, discount_minor, total_minor, currency, voucher. "
        "422 voucher_refused with reason; 404 for photos not in the session's gallery; 409 "
        "not_open_for_orders with reason.",
        "properties": {
            "job_id": {"type": "string"},
            "lines": _ORDER_LINES,
            "voucher": {"type": "string", "nullable": True},
        },
    },
    "EnteredOrder": {
        "type": "object",
        "required": ["access_code", "lines", "contact"],
        "description": "A phone or paper order: the photos must be in the gallery of the "
        "access code (a code of this job; otherwise 404 naming it), priced from the job's "
        "price list like a shop order (client prices ignored), paid offline. paid: true marks "
        "it paid at once, recorded as the photographer; a total of 0 is paid (method free).",
        "properties": {
            "access_code": {"type": "string", "example": "K7M4-Q9PX-2HTR"},
            "lines": _ORDER_LINES,
            "contact": _CONTACT,
            "voucher_code": {"type": "string", "nullable": True},
            "paid": {"type": "boolean", "default": False},
        },
    },
    "ShopCart": {
        "type": "object",
        "required": ["job_id", "lines"],
        "description": "Replaces the session's cart of a job; an empty list empties it. "
        "Checked like an order: 404 for a job or photo the session is not shown, 400 naming "
        "each line whose product the job's price list lacks. A registered customer's cart "
        "is kept for all their devices and, left unchanged, gets the profile's "
        "abandoned-cart reminder; an anonymous session's cart is kept for that session "
        "only and reminds nobody.",
        "properties": {
            "job_id": {"type": "string"},
            "lines": {"type": "array", "maxItems": 200, "items": _ORDER_LINE},
        },
    },
    "MessagePreview": {
        "type": "object",
        "required": ["step_id"],
        "properties": {
            "step_id": {"type": "string", "description": "a step of the job's profile"},
            "customer_id": {
                "type": "string",
                "nullable": True,
                "description": "a customer of the job; default: a sample customer",
            },
        },
    },
    "NewsletterInput": {
        "type": "object",
        "required": ["body"],
        "description": "Plain text: blank lines separate paragraphs, **bold**, links; "
        "placeholders {name}, {job}, {shop_link}, {code}, {archive_date}. Goes to customers "
        "who agreed to marketing messages.",
        "properties": {
            "subject": {"type": "string", "description": "required for email"},
            "body": {"type": "string"},
            "channel": {"type": "string", "enum": [c.value for c in Channel]},
            "audience": {"type": "string", "enum": [a.value for a in Audience]},
        },
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
            operation["security"] = [{op.security: []}]
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "photojobs API", "version": "0.1.0"},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "cognitoIdToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "shopSession": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "the token POST /shop/session returns (2 hours)",
                },
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
