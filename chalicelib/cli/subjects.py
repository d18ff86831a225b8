"""``photojobs subjects ...``, ``photojobs cards`` and ``photojobs contact-sheets``: name lists,
access codes and the printable documents of a job."""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path
from typing import Any

import requests

from chalicelib.cli.client import ApiClient, ApiError
from chalicelib.cli.output import print_json


def add_commands(commands: Any) -> None:
    """Register the commands on the ``photojobs`` sub-parsers."""
    subjects = commands.add_parser("subjects", help="name lists: import, list, export, template")
    sub = subjects.add_subparsers(dest="subjects", required=True)

    importing = sub.add_parser(
        "import", help="import a names list (CSV or XLSX) all or nothing; errors by line"
    )
    importing.add_argument("job_id")
    importing.add_argument("file")
    importing.add_argument("--dry-run", action="store_true", help="check only, store nothing")
    importing.set_defaults(run=cmd_import)

    listing = sub.add_parser("list", help="a job's subjects with access codes")
    listing.add_argument("job_id")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_list)

    blank = sub.add_parser("blank", help="placeholder subjects (Spare 1...) and spares")
    blank.add_argument("job_id")
    blank.add_argument("--spares", type=int, default=0)
    blank.add_argument("--class", dest="class_name", default="")
    blank.set_defaults(run=cmd_blank)

    export = sub.add_parser("export", help="the names list with access codes")
    export.add_argument("job_id")
    export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    export.add_argument("-o", "--output", help="file to write (default: the suggested name)")
    export.set_defaults(run=cmd_export)

    template = sub.add_parser("template", help="an empty names list to fill in")
    template.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    template.add_argument("-o", "--output")
    template.set_defaults(run=cmd_template)

    for name, route, help_text in (
        ("cards", "cards", "QR cards of every subject and spare as a PDF (print at 100 %%)"),
        ("contact-sheets", "contact-sheets", "contact sheets (photo, name, code) as a PDF"),
    ):
        document = commands.add_parser(name, help=help_text)
        document.add_argument("job_id")
        document.add_argument("-o", "--output", required=True, help="PDF file to write")
        document.add_argument("--class", dest="class_name", help="only this class")
        document.set_defaults(run=cmd_document, route=route)


def cmd_import(client: ApiClient, args: argparse.Namespace) -> int:
    path = Path(args.file)
    body = {
        "filename": path.name,
        "content_base64": base64.b64encode(path.read_bytes()).decode(),
        "dry_run": args.dry_run,
    }
    try:
        report = client.call("POST", f"/api/jobs/{args.job_id}/subjects/import", body)
    except ApiError as exc:
        if exc.status != 422 or not isinstance(exc.body, dict):
            raise
        print(f"{path.name}: {exc.body.get('message')}", file=sys.stderr)
        for error in exc.body.get("errors", []):
            print(f"  {_where(error)}: {error['message']}", file=sys.stderr)
        _print_warnings(exc.body.get("warnings", []), sys.stderr)
        return 1
    _print_warnings(report["warnings"], sys.stdout)
    done = "would be imported (dry run, nothing stored)" if report["dry_run"] else "imported"
    print(
        f"{report['rows']} rows {done}: {report['created']} new, {report['updated']} updated, "
        f"{report['unchanged']} unchanged"
    )
    return 0


def cmd_list(client: ApiClient, args: argparse.Namespace) -> int:
    subjects = client.all_pages(f"/api/jobs/{args.job_id}/subjects")
    if args.json:
        print_json(subjects)
        return 0
    for s in subjects:
        name = f"{s['first_name']} {s['last_name']}".strip() + (" (spare)" if s["spare"] else "")
        print(f"{s['class_name'] or '-':<8} {s['access_code']:<16} {name}")
    print(f"{len(subjects)} subjects")
    return 0


def cmd_blank(client: ApiClient, args: argparse.Namespace) -> int:
    body = {"spares": args.spares, "class_name": args.class_name}
    created = client.call("POST", f"/api/jobs/{args.job_id}/subjects/blank", body)
    print(f"created {created['created']} blank subjects")
    return 0


def cmd_export(client: ApiClient, args: argparse.Namespace) -> int:
    file = client.call(
        "GET", f"/api/jobs/{args.job_id}/subjects/export", params={"format": args.format}
    )
    return _save_file(file, args.output)


def cmd_template(client: ApiClient, args: argparse.Namespace) -> int:
    file = client.call("GET", "/api/subjects/template", params={"format": args.format})
    return _save_file(file, args.output)


def cmd_document(client: ApiClient, args: argparse.Namespace) -> int:
    body = {"class_name": args.class_name} if args.class_name else {}
    document = client.call("POST", f"/api/jobs/{args.job_id}/{args.route}", body)
    response = requests.get(document["url"], timeout=120)
    if response.status_code != 200:
        status = response.status_code
        print(f"photojobs: downloading the PDF failed: HTTP {status}", file=sys.stderr)
        return 1
    Path(args.output).write_bytes(response.content)
    count = document.get("cards", document.get("subjects"))
    print(f"wrote {args.output}: {document['pages']} pages, {count} subjects")
    return 0


def _save_file(file: dict[str, Any], output: str | None) -> int:
    path = Path(output or file["filename"])
    path.write_bytes(base64.b64decode(file["content_base64"]))
    print(f"wrote {path}")
    return 0


def _where(issue: dict[str, Any]) -> str:
    line = f"line {issue['line']}" if issue.get("line") else "file"
    return f"{line}, {issue['column']}" if issue.get("column") else line


def _print_warnings(warnings: list[dict[str, Any]], stream: Any) -> None:
    for warning in warnings:
        print(f"  warning: {_where(warning)}: {warning['message']}", file=stream)
