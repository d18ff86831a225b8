"""``photojobs-local``: the whole system on 127.0.0.1 in the foreground.

moto's server is the AWS endpoint; resources are created from the production definitions; the
Chalice API and the static site are served; S3 -> SQS -> function and Scheduler -> function
are emulated by :mod:`chalicelib.local.wiring`. Ctrl-C stops every child process.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.local.endpoint import MotoEndpoint, PortInUse, ensure_port_free
from chalicelib.local.wiring import Handler, QueueDrainer, ScheduleFirer

ROOT = Path(__file__).resolve().parents[2]

# Lambda functions of functions/ that exist, by name; later issues add theirs here.
FUNCTIONS: dict[str, str] = {
    "process_upload": "functions.process_upload.handler",
    "build_galleries": "functions.build_galleries.handler",
    "render_documents": "functions.render_documents.handler",
    "send_messages": "functions.send_messages.handler",
}


def available_functions() -> dict[str, Handler]:
    found: dict[str, Handler] = {}
    for name, module in FUNCTIONS.items():
        try:
            found[name] = importlib.import_module(module).handler
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return found


def function_arn(stage: str, name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:photojobs-{stage}-{name}"


@dataclass
class CloudWiring:
    """One thread that drains the queues (uploads, work) and fires due schedules."""

    drainers: list[QueueDrainer]
    firer: ScheduleFirer
    interval: float = 0.5
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._loop, daemon=True, name="cloud-wiring").start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                for drainer in self.drainers:
                    drainer.drain()
                self.firer.fire_due()
            except Exception as exc:  # keep the local cloud alive; show what happened
                print(f"[wiring] {type(exc).__name__}: {exc}", file=sys.stderr)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()


def _demo_shoot(job_id: str) -> Path:
    """Generate the demo shoot for the demo job under build/ (never committed): the cards of
    the demo job's own subjects, so that a gallery build sorts it."""
    import shutil

    from chalicelib.local.demo_shoot import DemoChild, write_demo_shoot
    from chalicelib.local.seed import demo_subjects

    folder = ROOT / "build" / "demo-shoot"
    shutil.rmtree(folder, ignore_errors=True)
    children = [
        DemoChild(s.subject_id, s.first_name, s.last_name, s.class_name)
        for s in demo_subjects(job_id)
    ]
    write_demo_shoot(folder, job_id=job_id, job_name="St. John Primary School", children=children)
    return folder


def _prepare_demo_shop(demo: Any, shoot: Path, shop_link: str) -> None:
    """Upload the demo shoot, build its galleries and start selling, in the background (the
    local cloud does the work); says when a parent can log in."""
    from chalicelib.local.seed import open_demo_shop

    def prepare() -> None:
        try:
            open_demo_shop(demo, shoot)
        except Exception as exc:  # the servers keep running; the CLI can finish the job
            print(f"[demo] the demo shop could not be prepared: {exc}", file=sys.stderr)
            return
        print(f"\ndemo shop ready: {shop_link}", flush=True)

    threading.Thread(target=prepare, daemon=True, name="demo-shop").start()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="photojobs-local", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("PHOTOJOBS_HOST", "127.0.0.1"))
    parser.add_argument("--aws-port", type=int, default=int(os.environ.get("AWS_PORT", "5000")))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument("--site-port", type=int, default=int(os.environ.get("SITE_PORT", "8001")))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        ensure_port_free(args.host, args.api_port, "the API")
        ensure_port_free(args.host, args.site_port, "the shop site")
        endpoint = MotoEndpoint(args.host, args.aws_port)
        endpoint.start()
    except PortInUse as exc:
        print(f"photojobs-local: {exc}", file=sys.stderr)
        return 2
    try:
        return _serve(args, endpoint)
    finally:
        endpoint.stop()


def _serve(args: argparse.Namespace, endpoint: MotoEndpoint) -> int:
    os.environ.update(endpoint.environment())
    api_url = f"http://{args.host}:{args.api_port}"
    site_url = f"http://{args.host}:{args.site_port}"
    from chalicelib.adapters.aws import client
    from chalicelib.local.bootstrap import StageNames, create_stage
    from chalicelib.resources import WORK_QUEUE_BATCH_SIZE

    stage = create_stage(StageNames(), cors_origins=[site_url, api_url])
    os.environ.update(stage.environment)
    # Functions the API invokes synchronously (PDF rendering) run in-process behind the Lambda
    # Invoke API; the API's boto3 client finds it through AWS_ENDPOINT_URL_LAMBDA.
    from chalicelib.local.endpoint import free_port
    from chalicelib.local.lambda_endpoint import LocalLambdaEndpoint

    lambda_endpoint = LocalLambdaEndpoint(args.host, free_port(args.host))
    lambda_endpoint.start()
    os.environ["AWS_ENDPOINT_URL_LAMBDA"] = lambda_endpoint.url
    os.environ["PHOTOJOBS_SHOP_URL"] = site_url
    os.environ["PHOTOJOBS_API_URL"] = api_url  # unsubscribe links in emails point here
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    from chalicelib.config import get_settings
    from chalicelib.local.seed import seed_demo

    settings = get_settings()  # validated once, here
    demo = seed_demo(settings.user_pool_id)
    shoot = _demo_shoot(demo.job_id)

    from chalicelib.local.servers import load_app, start_api, start_site

    api = start_api(load_app(ROOT / "app.py"), args.host, args.api_port)
    site = start_site(ROOT / "site", args.host, args.site_port, {"apiUrl": api_url})
    functions = available_functions()
    drainers = []
    if "process_upload" in functions:
        drainers.append(
            QueueDrainer(
                client("sqs"),
                stage.upload_queue_url,
                functions["process_upload"],
                function_name="process_upload",
            )
        )
    if "build_galleries" in functions:
        drainers.append(
            QueueDrainer(
                client("sqs"),
                stage.work_queue_url,
                functions["build_galleries"],
                function_name="build_galleries",
                batch_size=WORK_QUEUE_BATCH_SIZE,
            )
        )
    targets: dict[str, Any] = {
        function_arn(stage.names.stage, name): handler for name, handler in functions.items()
    }
    wiring = CloudWiring(
        drainers, ScheduleFirer(client("scheduler"), stage.names.schedule_group, targets)
    )
    wiring.start()
    _prepare_demo_shop(demo, shoot, f"{site_url}/?code={demo.code}")
    print(
        "\nphotojobs is running locally\n"
        f"  API            {api_url}/api/health   (OpenAPI: {api_url}/api/openapi.json)\n"
        f"  shop site      {site_url}/\n"
        f"  AWS endpoint   {endpoint.url}   (moto)\n"
        f"  functions      {', '.join(sorted(functions)) or 'none yet'}\n\n"
        f"  demo login     {demo.email}\n"
        f"  demo password  {demo.password}\n"
        f"  demo job       {demo.job_id}\n\n"
        f"  demo shoot     {shoot}   (being uploaded into the demo job)\n\n"
        f"  demo shop      {site_url}/?code={demo.code}\n"
        f"  demo code      {demo.code}   (a sibling's code: {demo.sibling_code}; "
        f"voucher {demo.voucher})\n"
        "                 the shop opens once the demo galleries are built: "
        "watch for 'demo shop ready'\n\n"
        f"  try:  .venv/bin/photojobs --api {api_url} login --email {demo.email}\n"
        f"        .venv/bin/photojobs jobs list\n"
        f"        .venv/bin/photojobs photos list {demo.job_id}\n"
        f"        .venv/bin/photojobs galleries build {demo.job_id} --wait\n"
        f"        .venv/bin/photojobs review {demo.job_id}\n"
        f"        .venv/bin/photojobs messages list {demo.job_id}\n"
        f"        .venv/bin/photojobs messages fast-forward {demo.job_id}"
        f" --aws-endpoint {endpoint.url}\n"
        f"        .venv/bin/photojobs outbox --aws-endpoint {endpoint.url}\n\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping…", flush=True)
    finally:
        wiring.stop()
        api.shutdown()
        site.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
