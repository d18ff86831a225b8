"""The OpenAPI document lists every route Chalice serves, and the Lambda entry point handles a
real-shaped API Gateway event (with the same authentication as over HTTP)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from tests.conftest import ROOT, load_event


def load_app():
    from chalicelib.local.servers import load_app as load

    return load(ROOT / "app.py")


def test_openapi_lists_every_route():
    from chalicelib.api.openapi import openapi_document

    app = load_app()
    served = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}
    served -= {(path, "options") for path, _ in served}
    document = openapi_document()
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert served == documented
    assert document["openapi"].startswith("3.")
    for ops in document["paths"].values():
        for op in ops.values():
            assert op["summary"] and op["tags"]
    refs = re.findall(r'"#/components/schemas/(\w+)"', json.dumps(document))
    assert refs and set(refs) <= set(document["components"]["schemas"])


def test_lambda_entry_refuses_an_unsigned_api_gateway_event(monkeypatch):
    from chalicelib import wiring

    class RefuseAll:
        def verify(self, authorization):
            from chalicelib.errors import Unauthorized

            raise Unauthorized("sign in first: the Authorization header is missing")

    wiring.reset()
    wiring.override("token_verifier", RefuseAll())
    try:
        response = load_app()(load_event("api_list_jobs.json"), None)
    finally:
        wiring.reset()
    assert response["statusCode"] == 401
    assert '"error":"unauthorized"' in response["body"].replace(" ", "")


def test_the_api_module_stays_light():
    code = "import sys, runpy; runpy.run_path('app.py'); print(sorted(m for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    ).stdout
    loaded = set(eval(out))
    assert not loaded & {"PIL", "pyzbar", "zxingcpp", "pynamodb", "jwt"}
