"""``photojobs galleries ...`` and ``photojobs review``: build a job's galleries, look at them,
and answer what the build flagged. Every review decision requests a rebuild that applies it."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from chalicelib.cli.client import ApiClient
from chalicelib.cli.output import print_json

POLL_SECONDS = 1.0
FINISHED = ("done", "failed")


def add_commands(commands: Any) -> None:
    """Register the commands on the ``photojobs`` sub-parsers."""
    galleries = commands.add_parser("galleries", help="sort a job's photos into galleries")
    sub = galleries.add_subparsers(dest="galleries", required=True)
    build = sub.add_parser("build", help="build the galleries (asynchronous; --wait to follow)")
    build.add_argument("job_id")
    build.add_argument("--wait", action="store_true", help="print progress until it is done")
    build.set_defaults(run=cmd_build)
    status = sub.add_parser("status", help="progress of the latest build")
    status.add_argument("job_id")
    status.set_defaults(run=cmd_status)
    listing = sub.add_parser("list", help="every subject's gallery with its photo count")
    listing.add_argument("job_id")
    listing.add_argument("--class", dest="class_name", help="only this class")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_list)
    show = sub.add_parser("show", help="the photos of one subject's gallery")
    show.add_argument("job_id")
    show.add_argument("subject_id")
    show.set_defaults(run=cmd_show)

    review = commands.add_parser(
        "review",
        help="what the latest build flagged; with an option, decide about it",
        description="Without options: the flags of the latest build. With one option: store "
        "that decision (it wins on every rebuild) and request a rebuild.",
    )
    review.add_argument("job_id")
    decide = review.add_mutually_exclusive_group()
    decide.add_argument("--accept", metavar="FLAG", help="accept a flag (number or key)")
    decide.add_argument("--move", metavar="PHOTO", nargs="+", help="move photos (with a --to...)")
    decide.add_argument("--first", metavar="PHOTO", help="PHOTO is the first one of --subject")
    decide.add_argument("--card", metavar="PHOTO", help="PHOTO shows --subject's unread card")
    decide.add_argument("--group", metavar="PHOTO", nargs="+", help="group photos (of --class)")
    decide.add_argument("--exclude", metavar="PHOTO", nargs="+", help="leave photos out")
    decide.add_argument("--clear", metavar="PHOTO", nargs="+", help="forget photos' decisions")
    target = review.add_mutually_exclusive_group()
    target.add_argument("--to", metavar="SUBJECT", nargs="+", help="--move to these subjects")
    target.add_argument("--to-album", metavar="ALBUM", help="--move to another album")
    target.add_argument("--to-nobody", action="store_true", help="--move into no gallery")
    review.add_argument("--subject", metavar="SUBJECT", nargs="+", help="for --first / --card")
    review.add_argument("--class", dest="class_name", help="for --group (default: its album)")
    review.add_argument("--wait", action="store_true", help="wait for the rebuild, show again")
    review.add_argument("--json", action="store_true")
    review.set_defaults(run=cmd_review)


def cmd_build(client: ApiClient, args: argparse.Namespace) -> int:
    run = client.call("POST", f"/api/jobs/{args.job_id}/galleries/build")
    print(f"gallery build {run['run_id']} {run['state']}")
    if not args.wait:
        return 0
    return _follow(client, args.job_id, sys.stdout)


def cmd_status(client: ApiClient, args: argparse.Namespace) -> int:
    print(progress_line(client.call("GET", f"/api/jobs/{args.job_id}/galleries/build")))
    return 0


def cmd_list(client: ApiClient, args: argparse.Namespace) -> int:
    params = {"class": args.class_name} if args.class_name else None
    listed = client.call("GET", f"/api/jobs/{args.job_id}/galleries", params=params)
    if args.json:
        print_json(listed)
        return 0
    if listed["built_at"] is None:
        print("no galleries yet: run 'photojobs galleries build JOB --wait'")
        return 0
    print(f"{'SUBJECT':<13} {'CLASS':<8} {'PHOTOS':>6} {'OWN':>4}  NAME")
    for g in listed["items"]:
        print(
            f"{g['subject_id']:<13} {g['class_name']:<8} {g['photos']:>6} {g['own_photos']:>4}  "
            f"{g['name']}"
        )
    count = len(listed["items"])
    empty = sum(1 for g in listed["items"] if g["own_photos"] == 0)
    print(f"{count} galleries built {listed['built_at']}; {empty} without own photos")
    return 0


def cmd_show(client: ApiClient, args: argparse.Namespace) -> int:
    found = client.call("GET", f"/api/jobs/{args.job_id}/galleries/{args.subject_id}")
    print(f"{found['name']} ({found['class_name']}): {len(found['photos'])} photos")
    for photo in found["photos"]:
        mark = "group" if photo["group"] else ""
        print(f"  {photo['photo_id']:<13} {photo['album']:<10} {mark:<5} {photo['file_name']}")
    return 0


def cmd_review(client: ApiClient, args: argparse.Namespace) -> int:
    action = review_action(args, lambda: _flags(client, args.job_id))
    if action is None:
        return _show_review(client, args)
    answer = client.call("POST", f"/api/jobs/{args.job_id}/review/actions", action)
    print(f"stored: {describe(answer['decision'])}; rebuild {answer['build']['state']}")
    if not args.wait:
        return 0
    status = _follow(client, args.job_id, sys.stdout)
    return status or _show_review(client, args)


def review_action(
    args: argparse.Namespace, flags: Callable[[], list[dict[str, Any]]]
) -> dict[str, Any] | None:
    """The review action the options ask for (None: just show the flags)."""
    if args.accept:
        return {"action": "accept_flag", "flag": _flag_key(args.accept, flags)}
    if args.move:
        body: dict[str, Any] = {"action": "move_photo", "photo_ids": args.move}
        if args.to_album:
            return {**body, "album": args.to_album}
        if args.to:
            return {**body, "subject_ids": args.to}
        if args.to_nobody:
            return {**body, "subject_ids": []}
        raise SystemExit("photojobs: --move needs --to SUBJECT, --to-album ALBUM or --to-nobody")
    if args.first or args.card:
        if not args.subject:
            raise SystemExit("photojobs: --first and --card need --subject SUBJECT")
        return {
            "action": "assign_subject",
            "photo_id": args.first or args.card,
            "subject_ids": args.subject,
            "card": bool(args.card),
        }
    if args.group:
        return {"action": "mark_group", "photo_ids": args.group, "class_name": args.class_name}
    if args.exclude:
        return {"action": "exclude_photo", "photo_ids": args.exclude}
    if args.clear:
        return {"action": "clear", "photo_ids": args.clear}
    return None


def describe(decision: dict[str, Any]) -> str:
    return " ".join(
        f"{key}={','.join(value) if isinstance(value, list) else value}"
        for key, value in decision.items()
    )


def review_lines(review: dict[str, Any]) -> list[str]:
    """The flags as a numbered table: what, where, which photos, and the message."""
    build = review["build"]
    if build is None or build["published_run_id"] is None:
        return ["no galleries yet: run 'photojobs galleries build JOB --wait'"]
    lines = []
    for number, flag in enumerate(review["flags"], start=1):
        first = flag["photos"][0]["file_name"] if flag["photos"] else "-"
        photo_ids = ",".join(p["photo_id"] for p in flag["photos"])
        held = f"{flag['held']['count']} held" if flag["held"]["count"] else ""
        lines.append(
            f"{number:>3}  {flag['kind']:<22} {flag['album']:<10} {first} [{photo_ids}] {held}"
        )
        lines.append(f"     {flag['message']}")
    if build["state"] not in FINISHED:
        lines.append(f"(a rebuild is {build['state']}: this is the previous build's review)")
    lines.append(f"{len(review['flags'])} flag(s) to review")
    return lines


def progress_line(run: dict[str, Any]) -> str:
    photos, subjects = run["photos"], run["subjects"]
    state = run["state"] if run["state"] != "running" else f"running: {run['phase']}"
    line = f"{state:<20} photos {photos['processed']}"
    if photos["total"] is not None:
        line += f"/{photos['total']}"
    if subjects["total"] is not None:
        line += f"  galleries {subjects['written']}/{subjects['total']}"
    if run["state"] == "done" and run["summary"]:
        s = run["summary"]
        line += f"  ({s['galleries']} with photos, {s['cards']} cards, {s['flags']} flags)"
    if run["error"]:
        line += f"  error: {run['error']}"
    return line


def _follow(client: ApiClient, job_id: str, out: TextIO) -> int:
    last = ""
    while True:
        run = client.call("GET", f"/api/jobs/{job_id}/galleries/build")
        line = progress_line(run)
        if line != last:
            print(line, file=out, flush=True)
            last = line
        if run["state"] in FINISHED and not run["rerun_requested"]:
            return 0 if run["state"] == "done" else 1
        time.sleep(POLL_SECONDS)


def _show_review(client: ApiClient, args: argparse.Namespace) -> int:
    review = client.call("GET", f"/api/jobs/{args.job_id}/review")
    if args.json:
        print_json(review)
    else:
        print("\n".join(review_lines(review)))
    return 0


def _flags(client: ApiClient, job_id: str) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = client.call("GET", f"/api/jobs/{job_id}/review")["flags"]
    return flags


def _flag_key(reference: str, flags: Callable[[], list[dict[str, Any]]]) -> str:
    """A flag's key from its number in the review table, or the key itself."""
    if not reference.isdigit():
        return reference
    listed = flags()
    if not 1 <= int(reference) <= len(listed):
        raise SystemExit(f"photojobs: there is no flag {reference}; see 'photojobs review JOB'")
    return str(listed[int(reference) - 1]["key"])
