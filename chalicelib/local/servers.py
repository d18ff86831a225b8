"""The local HTTP servers: the Chalice API (the same app object Lambda runs) and the static
site. Each runs in a daemon thread and stops with ``shutdown()``."""

from __future__ import annotations

import functools
import importlib.util
import json
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, create_local_server

# Chalice keeps the current request on the app object; one request at a time keeps it honest.
_APP_LOCK = threading.Lock()


class _SerialChaliceHandler(ChaliceRequestHandler):
    def _generic_handle(self) -> None:
        with _APP_LOCK:
            super()._generic_handle()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def log_message(self, format: str, *args: Any) -> None:
        pass


def load_app(path: Path) -> Any:
    """The Chalice app object of ``app.py`` (the same module Lambda loads), loaded once:
    blueprints register their routes on the first app only."""
    loaded = sys.modules.get("app")
    if loaded is not None and Path(getattr(loaded, "__file__", "")) == path:
        return loaded.app
    spec = importlib.util.spec_from_file_location("app", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load the API from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module.app


def start_api(app: Any, host: str, port: int) -> LocalDevServer:
    config = Config(chalice_stage="local", config_from_disk={})
    create_local_server(app, config, host, port)  # turns app into a local-capable app
    server = LocalDevServer(app, config, host, port, handler_cls=_SerialChaliceHandler)
    threading.Thread(target=server.serve_forever, daemon=True, name="api").start()
    return server


class _SiteHandler(SimpleHTTPRequestHandler):
    config_js: bytes = b""

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/config.js":
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(len(self.config_js)))
            self.end_headers()
            self.wfile.write(self.config_js)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_site(root: Path, host: str, port: int, config: dict[str, str]) -> ThreadingHTTPServer:
    """Serve ``root`` as static files; ``/config.js`` tells the pages where the API is."""
    handler = type(
        "SiteHandler",
        (_SiteHandler,),
        {"config_js": f"window.PHOTOJOBS = {json.dumps(config)};\n".encode()},
    )
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True, name="site").start()
    return server
