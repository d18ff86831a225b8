"""API -> (synchronous invoke) -> this function: render a job's QR cards or contact sheets.

Thin adapter: the event is a ``DocumentRequest`` (the API has checked the caller owns the job);
the PDF goes to S3 under derived/ and the answer names its key, pages and count.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from chalicelib import wiring

logger = Logger(service="render_documents")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.services.documents import DocumentRequest  # lazily: it loads the dynamo layer

    request = DocumentRequest.from_event(event)
    rendered = wiring.document_renderer().render(request)
    logger.info(
        "document rendered",
        extra={"document": request.kind, "job_id": request.job_id, "pages": rendered.pages},
    )
    return rendered.as_result()
