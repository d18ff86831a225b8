"""The Lambda ``Invoke`` API on 127.0.0.1, running our function handlers in-process.

moto's server only runs Lambda code in Docker; this endpoint stands in for it for the functions
the API invokes directly (``FunctionInvoker``). Pointing ``AWS_ENDPOINT_URL_LAMBDA`` at it is
the only difference to the cloud: the API's boto3 client sends the very request it sends to AWS.
Handlers get the event and a Lambda-like context; an exception comes back the way Lambda reports
it (HTTP 200, ``X-Amz-Function-Error: Unhandled``, ``errorMessage``/``errorType``).
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from chalicelib.local.wiring import Handler, invoke_asynchronously
from chalicelib.resources import SEND_MESSAGES_ASYNC_RETRIES

_INVOKE_PATH = "/2015-03-31/functions/"

Resolver = Callable[[str], Handler | None]


def configured_function(name: str) -> Handler | None:
    """The handler deployed under `name` in this stage's settings, or None."""
    from chalicelib.config import get_settings

    settings = get_settings()
    modules = {settings.documents_function: "functions.render_documents.handler"}
    if settings.messages_function_arn:  # invoked asynchronously by the API (issue 6)
        modules[function_name(settings.messages_function_arn)] = "functions.send_messages.handler"
    module = modules.get(name)
    return importlib.import_module(module).handler if module else None


def function_name(path_part: str) -> str:
    """``NAME``, ``NAME:qualifier`` or a function ARN -> ``NAME``."""
    name = unquote(path_part)
    if name.startswith("arn:"):
        return name.split(":")[6]
    return name.split(":")[0]


class LocalLambdaEndpoint:
    def __init__(self, host: str, port: int, resolve: Resolver = configured_function) -> None:
        self.host, self.port = host, port
        handler = type("InvokeHandler", (_InvokeHandler,), {"resolve": staticmethod(resolve)})
        self._server = ThreadingHTTPServer((host, port), handler)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True, name="lambda").start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _InvokeHandler(BaseHTTPRequestHandler):
    resolve: Resolver

    def do_POST(self) -> None:
        path = self.path.split("?")[0]
        if not (path.startswith(_INVOKE_PATH) and path.endswith("/invocations")):
            self._answer(404, {"message": f"not a Lambda Invoke path: {path}"})
            return
        name = function_name(path[len(_INVOKE_PATH) : -len("/invocations")])
        handler = self.resolve(name)
        if handler is None:
            self._answer(
                404,
                {"Type": "User", "Message": f"Function not found: {name}"},
                {"x-amzn-ErrorType": "ResourceNotFoundException"},
            )
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        event = json.loads(raw) if raw else {}
        invocation = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if invocation == "DryRun":
            self._answer(204, None)
        elif invocation == "Event":
            retries = SEND_MESSAGES_ASYNC_RETRIES  # Lambda retries failed Event invokes
            threading.Thread(target=_run, args=(handler, name, event, retries), daemon=True).start()
            self._answer(202, None)
        else:
            result, failed = _run(handler, name, event)
            headers = {"X-Amz-Executed-Version": "$LATEST"}
            if failed:
                headers["X-Amz-Function-Error"] = "Unhandled"
            self._answer(200, result, headers)

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _run(handler: Handler, name: str, event: Any, retries: int = 0) -> tuple[Any, bool]:
    try:
        return invoke_asynchronously(handler, event, name, retries=retries), False
    except Exception as exc:
        trace = traceback.format_exc()
        print(f"[lambda {name}] {trace}", file=sys.stderr)
        error = {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": trace.splitlines(),
        }
        return error, True
