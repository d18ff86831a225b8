"""``photojobs``: the photographer's command line."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalicelib.cli.client import DEFAULT_API, ApiClient, ApiError, SessionStore
from chalicelib.cli.galleries import add_commands as add_gallery_commands
from chalicelib.cli.messages import add_commands as add_message_commands
from chalicelib.cli.orders import add_commands as add_order_commands
from chalicelib.cli.output import print_json
from chalicelib.cli.pricing import add_commands as add_pricing_commands
from chalicelib.cli.subjects import add_commands as add_subject_commands

Command = Callable[[ApiClient, argparse.Namespace], int]


def _settings(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` pairs; values are JSON when they parse as JSON, else strings."""
    body: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise SystemExit(f"photojobs: --set expects key=value, got {pair!r}")
        try:
            body[key] = json.loads(raw)
        except ValueError:
            body[key] = raw
    return body


def cmd_login(client: ApiClient, args: argparse.Namespace) -> int:
    email = args.email or input("email: ")
    password = os.environ.get("PHOTOJOBS_PASSWORD") or getpass.getpass("password: ")
    client.login(email, password)
    me = client.call("GET", "/api/me")
    print(f"signed in as {me['email'] or email} (studio {me['studio_id']}) at {client.api}")
    return 0


def cmd_logout(client: ApiClient, args: argparse.Namespace) -> int:
    client.store.forget(client.api)
    print("signed out")
    return 0


def cmd_whoami(client: ApiClient, args: argparse.Namespace) -> int:
    print_json(client.call("GET", "/api/me"))
    return 0


def cmd_jobs_list(client: ApiClient, args: argparse.Namespace) -> int:
    params: dict[str, Any] = {"limit": args.limit}
    if args.status:
        params["status"] = args.status
    jobs: list[dict[str, Any]] = []
    while True:
        page = client.call("GET", "/api/jobs", params=params)
        jobs.extend(page["items"])
        if not args.all or not page["cursor"]:
            break
        params["cursor"] = page["cursor"]
    if args.json:
        print_json(jobs)
        return 0
    print(f"{'ID':<13} {'DATE':<10}  {'STATUS':<22} {'INTERNAL NAME':<24} NAME")
    for job in jobs:
        print(
            f"{job['job_id']:<13} {job['shooting_date']:<10}  {job['status_label']:<22} "
            f"{job['internal_name']:<24} {job['name']}"
        )
    if not jobs:
        print("(no jobs)")
    return 0


def cmd_jobs_show(client: ApiClient, args: argparse.Namespace) -> int:
    print_json(client.call("GET", f"/api/jobs/{args.job_id}"))
    return 0


def cmd_jobs_create(client: ApiClient, args: argparse.Namespace) -> int:
    body = {"name": args.name, "shooting_date": args.date, "job_type": args.type}
    if args.internal_name:
        body["internal_name"] = args.internal_name
    body.update(_settings(args.set or []))
    job = client.call("POST", "/api/jobs", body)
    defaulted = job.get("defaulted", {})
    print(f"created job {job['job_id']} ({job['internal_name']})")
    if defaulted.get("fields"):
        fields = ", ".join(defaulted["fields"])
        print(f"settings taken from job {defaulted['from_job_id']}: {fields}")
    return 0


def cmd_jobs_update(client: ApiClient, args: argparse.Namespace) -> int:
    print_json(client.call("PATCH", f"/api/jobs/{args.job_id}", _settings(args.set)))
    return 0


def cmd_jobs_status(client: ApiClient, args: argparse.Namespace) -> int:
    body = {"status": args.status, "force": args.force}
    try:
        job = client.call("POST", f"/api/jobs/{args.job_id}/status", body)
    except ApiError as exc:
        if exc.status == 409 and isinstance(exc.body, dict) and "checklist" in exc.body:
            print("Go-live checklist:")
            for item in exc.body["checklist"]:
                print(f"  [{'x' if item['ok'] else ' '}] {item['label']}: {item['detail']}")
            print("Fix the open items, or run again with --force to start selling anyway.")
            return 1
        raise
    print(f"job {job['job_id']} is now {job['status_label']}")
    return 0


def cmd_jobs_delete(client: ApiClient, args: argparse.Namespace) -> int:
    if not args.yes:
        print("deleting a job cannot be undone; add --yes to confirm", file=sys.stderr)
        return 1
    client.call("DELETE", f"/api/jobs/{args.job_id}")
    print(f"deleted job {args.job_id}")
    return 0


def cmd_contractees_list(client: ApiClient, args: argparse.Namespace) -> int:
    print_json(client.call("GET", "/api/contractees")["items"])
    return 0


def cmd_contractees_create(client: ApiClient, args: argparse.Namespace) -> int:
    body = {"name": args.name, **_settings(args.set or [])}
    contractee = client.call("POST", "/api/contractees", body)
    print(f"created contractee {contractee['contractee_id']} ({contractee['name']})")
    return 0


def cmd_photos_list(client: ApiClient, args: argparse.Namespace) -> int:
    params = {"album": args.album} if args.album else None
    photos = client.all_pages(f"/api/jobs/{args.job_id}/photos", params)
    if args.json:
        print_json(photos)
        return 0
    for photo in photos:
        mark = "CARD" if photo["is_card"] else ("!" if photo["state"] == "failed" else "")
        when = photo["capture_time"] or "-"
        detail = photo["reason"] or ", ".join(c["value"] for c in photo["codes"])
        print(
            f"{photo['album']:<12} {when:<32} {photo['state']:<10} {mark:<4} "
            f"{photo['file_name']}  {detail}"
        )
    states = [p["state"] for p in photos]
    cards = sum(p["is_card"] for p in photos)
    print(
        f"{len(photos)} photos: {states.count('ready')} ready, {states.count('failed')} failed, "
        f"{states.count('uploading') + states.count('processing')} pending, {cards} cards"
    )
    return 0


def cmd_upload(client: ApiClient, args: argparse.Namespace) -> int:
    from chalicelib.cli.upload import run_upload

    return run_upload(client, args.job_id, Path(args.folder), workers=args.workers)


def cmd_inspect(client: ApiClient, args: argparse.Namespace) -> int:
    from chalicelib.imaging.inspect import run_inspect  # image code: only this command needs it

    return run_inspect(args.paths, sys.stdout, sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="photojobs", description=__doc__)
    parser.add_argument("--api", help=f"API address (default: last used, or {DEFAULT_API})")
    commands = parser.add_subparsers(dest="command", required=True)

    login = commands.add_parser(
        "login", help="sign in (password from PHOTOJOBS_PASSWORD or a prompt)"
    )
    login.add_argument("--email")
    login.set_defaults(run=cmd_login)
    commands.add_parser("logout", help="forget the saved session").set_defaults(run=cmd_logout)
    commands.add_parser("whoami", help="show the signed-in account").set_defaults(run=cmd_whoami)

    jobs = commands.add_parser("jobs", help="jobs").add_subparsers(dest="jobs", required=True)
    listing = jobs.add_parser("list", help="list jobs, newest shooting date first")
    listing.add_argument("--status", choices=["planning", "selling", "prepay", "archived"])
    listing.add_argument("--limit", type=int, default=25)
    listing.add_argument("--all", action="store_true", help="follow every page")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_jobs_list)
    show = jobs.add_parser("show", help="show one job")
    show.add_argument("job_id")
    show.set_defaults(run=cmd_jobs_show)
    create = jobs.add_parser("create", help="create a job")
    create.add_argument("--name", required=True, help="name shown to parents")
    create.add_argument("--date", required=True, help="shooting date YYYY-MM-DD")
    create.add_argument("--type", required=True, help="job type, e.g. 'primary school'")
    create.add_argument("--internal-name")
    create.add_argument("--set", action="append", metavar="KEY=VALUE", help="any other setting")
    create.set_defaults(run=cmd_jobs_create)
    update = jobs.add_parser("update", help="change settings")
    update.add_argument("job_id")
    update.add_argument("--set", action="append", required=True, metavar="KEY=VALUE")
    update.set_defaults(run=cmd_jobs_update)
    status = jobs.add_parser("status", help="change the status")
    status.add_argument("job_id")
    status.add_argument("status", choices=["planning", "selling", "prepay", "archived"])
    status.add_argument("--force", action="store_true", help="start selling despite the checklist")
    status.set_defaults(run=cmd_jobs_status)
    delete = jobs.add_parser("delete", help="delete a job")
    delete.add_argument("job_id")
    delete.add_argument("--yes", action="store_true")
    delete.set_defaults(run=cmd_jobs_delete)

    photos = commands.add_parser("photos", help="a job's photos").add_subparsers(
        dest="photos", required=True
    )
    plist = photos.add_parser("list", help="photos in capture order; cards and failures marked")
    plist.add_argument("job_id")
    plist.add_argument("--album")
    plist.add_argument("--json", action="store_true")
    plist.set_defaults(run=cmd_photos_list)

    upload = commands.add_parser(
        "upload", help="upload a folder (sub-folders are albums) straight to S3, resumable"
    )
    upload.add_argument("job_id")
    upload.add_argument("folder")
    upload.add_argument("--workers", type=int, default=4, help="parallel uploads (default 4)")
    upload.set_defaults(run=cmd_upload)

    inspect = commands.add_parser(
        "inspect", help="offline pre-flight check of photos: capture times, QR cards, problems"
    )
    inspect.add_argument("paths", nargs="+", metavar="PATH")
    inspect.set_defaults(run=cmd_inspect, offline=True)

    contractees = commands.add_parser("contractees", help="contractees (schools)")
    csub = contractees.add_subparsers(dest="contractees", required=True)
    csub.add_parser("list").set_defaults(run=cmd_contractees_list)
    ccreate = csub.add_parser("create")
    ccreate.add_argument("--name", required=True)
    ccreate.add_argument("--set", action="append", metavar="KEY=VALUE")
    ccreate.set_defaults(run=cmd_contractees_create)

    add_subject_commands(commands)  # subjects import|list|blank|export|template, cards, sheets
    add_gallery_commands(commands)  # galleries build|status|list|show, review
    add_pricing_commands(commands)  # prices list|show|create|update|copy|delete, vouchers, quote
    add_order_commands(commands)  # orders list|show|enter|paid|cancel|fulfilled
    add_message_commands(commands)  # messages profiles|list|preview|newsletter|fast-forward, outbox
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    store = SessionStore.default()
    api = args.api or os.environ.get("PHOTOJOBS_API") or store.last_api() or DEFAULT_API
    client = ApiClient(api, store)
    try:
        return int(args.run(client, args))
    except ApiError as exc:
        print(f"photojobs: {exc}", file=sys.stderr)
        errors = exc.body.get("errors") if isinstance(exc.body, dict) else None
        for error in errors or []:
            print(f"  {error['field']}: {error['reason']}", file=sys.stderr)
        return 2 if exc.status in (0, 401) else 1


if __name__ == "__main__":
    sys.exit(main())
