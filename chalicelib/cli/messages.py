"""``photojobs messages ...`` and ``photojobs outbox``: communication profiles, a job's planned
and sent messages, previews, newsletters; locally, fast-forwarding a job's schedules and
reading the emails and SMS the local endpoint received."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from chalicelib.cli.client import ApiClient
from chalicelib.cli.output import print_json, read_json

LOCAL_AWS = "http://127.0.0.1:5000"
LOCAL_GROUP = "photojobs-local"


def add_commands(commands: Any) -> None:
    """Register the commands on the ``photojobs`` sub-parsers."""
    messages = commands.add_parser("messages", help="communication profiles and job messages")
    sub = messages.add_subparsers(dest="messages", required=True)

    profiles = sub.add_parser("profiles", help="the studio's communication profiles")
    psub = profiles.add_subparsers(dest="profiles", required=True)
    plist = psub.add_parser("list", help="profiles (the shipped 'default' first)")
    plist.add_argument("--json", action="store_true")
    plist.set_defaults(run=cmd_profiles_list)
    pshow = psub.add_parser("show", help="one profile and its steps")
    pshow.add_argument("profile_id")
    pshow.set_defaults(run=cmd_profiles_show)
    pcopy = psub.add_parser("copy", help="copy a profile (e.g. 'default') to edit the copy")
    pcopy.add_argument("profile_id")
    pcopy.add_argument("--name")
    pcopy.set_defaults(run=cmd_profiles_copy)
    pcreate = psub.add_parser("create", help="create a profile from a JSON file")
    pcreate.add_argument("--file", required=True, help="{name, steps: [...], locale, ...}")
    pcreate.set_defaults(run=cmd_profiles_create)
    pupdate = psub.add_parser("update", help="change a profile from a JSON file")
    pupdate.add_argument("profile_id")
    pupdate.add_argument("--file", required=True)
    pupdate.set_defaults(run=cmd_profiles_update)
    pdelete = psub.add_parser("delete", help="delete a profile no job uses")
    pdelete.add_argument("profile_id")
    pdelete.set_defaults(run=cmd_profiles_delete)

    listing = sub.add_parser("list", help="a job's planned messages (local time) and the log")
    listing.add_argument("job_id")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_messages_list)
    preview = sub.add_parser("preview", help="render a step for a customer or a sample")
    preview.add_argument("job_id")
    preview.add_argument("step_id")
    preview.add_argument("--customer", help="customer id (default: a sample customer)")
    preview.add_argument("--html", help="write the HTML to this file")
    preview.set_defaults(run=cmd_messages_preview)
    replan = sub.add_parser("replan", help="apply the job's plan to the scheduler again")
    replan.add_argument("job_id")
    replan.set_defaults(run=cmd_messages_replan)
    newsletter = sub.add_parser("newsletter", help="draft (and with --send, send) a newsletter")
    newsletter.add_argument("job_id")
    newsletter.add_argument("--subject", help="required for email")
    newsletter.add_argument("--body-file", required=True, help="plain text; {name}, {shop_link}")
    newsletter.add_argument("--channel", choices=["email", "sms"], default="email")
    newsletter.add_argument(
        "--audience", choices=["all_registered", "not_ordered", "buyers"], default=None
    )
    newsletter.add_argument("--send", action="store_true", help="send after the preview")
    newsletter.set_defaults(run=cmd_newsletter)
    forward = sub.add_parser(
        "fast-forward", help="locally: let the job's pending schedules fire now"
    )
    forward.add_argument("job_id")
    _local_options(forward)
    forward.set_defaults(run=cmd_fast_forward, offline=True)

    outbox = commands.add_parser("outbox", help="locally: emails and SMS sent so far")
    _local_options(outbox, group=False)
    outbox.add_argument("--html-dir", default="build/outbox", help="write each email's HTML here")
    outbox.add_argument("--to", help="only messages to this address or number")
    outbox.set_defaults(run=cmd_outbox, offline=True)


def _local_options(parser: argparse.ArgumentParser, *, group: bool = True) -> None:
    parser.add_argument(
        "--aws-endpoint",
        default=os.environ.get("AWS_ENDPOINT_URL") or LOCAL_AWS,
        help=f"the local AWS endpoint (default: AWS_ENDPOINT_URL or {LOCAL_AWS})",
    )
    if group:
        parser.add_argument("--group", default=LOCAL_GROUP, help="the schedule group")


# profiles -----------------------------------------------------------------------------------
def cmd_profiles_list(client: ApiClient, args: argparse.Namespace) -> int:
    items = client.call("GET", "/api/communication-profiles", params={"limit": 100})["items"]
    if args.json:
        print_json(items)
        return 0
    for profile in items:
        mark = " (shipped, read-only)" if profile["builtin"] else ""
        steps = len(profile["steps"])
        print(f"{profile['profile_id']:<13} {steps:>2} steps  {profile['name']}{mark}")
    return 0


def cmd_profiles_show(client: ApiClient, args: argparse.Namespace) -> int:
    print_json(client.call("GET", f"/api/communication-profiles/{args.profile_id}"))
    return 0


def cmd_profiles_copy(client: ApiClient, args: argparse.Namespace) -> int:
    body = {"name": args.name} if args.name else {}
    copy = client.call("POST", f"/api/communication-profiles/{args.profile_id}/copy", body)
    print(f"created profile {copy['profile_id']} ({copy['name']})")
    return 0


def cmd_profiles_create(client: ApiClient, args: argparse.Namespace) -> int:
    profile = client.call("POST", "/api/communication-profiles", read_json(args.file))
    print(f"created profile {profile['profile_id']} ({profile['name']})")
    return 0


def cmd_profiles_update(client: ApiClient, args: argparse.Namespace) -> int:
    path = f"/api/communication-profiles/{args.profile_id}"
    print_json(client.call("PATCH", path, read_json(args.file)))
    return 0


def cmd_profiles_delete(client: ApiClient, args: argparse.Namespace) -> int:
    client.call("DELETE", f"/api/communication-profiles/{args.profile_id}")
    print(f"deleted profile {args.profile_id}")
    return 0


# a job's messages ---------------------------------------------------------------------------
def cmd_messages_list(client: ApiClient, args: argparse.Namespace) -> int:
    view = client.call("GET", f"/api/jobs/{args.job_id}/messages", params={"limit": 100})
    if args.json:
        print_json(view)
        return 0
    profile = view["communication_profile_id"] or "none"
    print(f"job {view['job_id']} ({view['status']}, {view['timezone']}), profile {profile}")
    ran = {run["step_id"] for run in view["runs"]}
    print("planned:")
    for planned in view["planned"]:
        moved = "  (moved by quiet hours)" if planned["moved_by_quiet_hours"] else ""
        state = ""
        if not planned["scheduled"]:  # fast-forwarded, or lost: replan sends nobody twice
            state = "  (ran already)" if planned["step_id"] in ran else "  NOT SCHEDULED: replan"
        print(f"  {planned['local_time']}  {planned['step_id']:<16}{moved}{state}".rstrip())
    for other in view["other_schedules"]:
        print(f"  {other['local_time']}  {other['step_id']:<16}  (event, {other['schedule']})")
    if not view["planned"] and not view["other_schedules"]:
        print("  (nothing)")
    print("steps:")
    for step in view["steps"]:
        print(
            f"  step {step['step_id']:<16} {step['channel']:<5} {step['audience']:<15} "
            f"{step['when']}: {step['recipients_now']} recipient(s) now"
        )
    print("runs:")
    for run in view["runs"]:
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(run["skipped"].items())) or "none"
        print(
            f"  {run['step_id']:<24} runs {run['runs']}  sent {run['sent']}  failed "
            f"{run['failed']}  not again {run['already_handled']}  skipped: {skipped}  "
            f"(last: {run['last_outcome']})"
        )
    failed = [m for m in view["log"]["items"] if m["state"] == "failed"]
    for message in failed:
        print(f"  FAILED {message['step_id']} {message['address']}: {message['reason']}")
    return 0


def cmd_messages_preview(client: ApiClient, args: argparse.Namespace) -> int:
    body = {"step_id": args.step_id}
    if args.customer:
        body["customer_id"] = args.customer
    preview = client.call("POST", f"/api/jobs/{args.job_id}/messages/preview", body)
    if preview["channel"] == "sms":
        print(f"SMS ({preview['segments']} segment(s), {preview['encoding']}):")
        print(preview["text"])
        return 0
    print(f"Subject: {preview['subject']}\n")
    print(preview["text"])
    if args.html:
        Path(args.html).write_text(preview["html"], encoding="utf-8")
        print(f"HTML written to {args.html}")
    return 0


def cmd_messages_replan(client: ApiClient, args: argparse.Namespace) -> int:
    print_json(client.call("POST", f"/api/jobs/{args.job_id}/messages/replan"))
    return 0


def cmd_newsletter(client: ApiClient, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {
        "body": Path(args.body_file).read_text(encoding="utf-8"),
        "channel": args.channel,
    }
    if args.subject:
        body["subject"] = args.subject
    if args.audience:
        body["audience"] = args.audience
    draft = client.call("POST", f"/api/jobs/{args.job_id}/newsletters", body)
    preview = draft["preview"] or {}
    print(f"newsletter {draft['newsletter_id']}: {draft['recipients']} recipient(s)")
    if draft["skipped"]:
        print("  skipped: " + ", ".join(f"{k} {v}" for k, v in sorted(draft["skipped"].items())))
    print("--- preview " + "-" * 60)
    if preview.get("subject"):
        print(f"Subject: {preview['subject']}\n")
    print(preview.get("text", ""))
    print("-" * 72)
    if not args.send:
        print("not sent: run again with --send to send it")
        return 0
    path = f"/api/jobs/{args.job_id}/newsletters/{draft['newsletter_id']}/send"
    client.call("POST", path)
    print("sending")
    return 0


# local tools --------------------------------------------------------------------------------
def cmd_fast_forward(client: ApiClient, args: argparse.Namespace) -> int:
    from chalicelib.local.fast_forward import fast_forward

    moved, pending = fast_forward(args.job_id, endpoint_url=args.aws_endpoint, group=args.group)
    if not moved:
        print(f"job {args.job_id} has no pending message schedules")
        return 0
    for name in moved:
        print(f"  {'waiting' if name in pending else 'fired':<8} {name}")
    if pending:
        print("some schedules did not fire: is photojobs-local (make run) running?")
        return 1
    print(f"{len(moved)} schedule(s) fired: see 'photojobs outbox'")
    return 0


def cmd_outbox(client: ApiClient, args: argparse.Namespace) -> int:
    from chalicelib.local.outbox import Outbox, read_outbox

    outbox = read_outbox(args.aws_endpoint)
    if args.to:
        outbox = Outbox(
            tuple(e for e in outbox.emails if args.to in e.to),
            tuple(s for s in outbox.sms if s.phone_number == args.to),
        )
    files = outbox.write_html(Path(args.html_dir)) if outbox.emails else []
    print(f"{len(outbox.emails)} email(s):")
    for email, path in zip(outbox.emails, files, strict=True):
        print(f"  {', '.join(email.to):<32} {email.subject}\n  {'':<32} {path}")
    print(f"{len(outbox.sms)} SMS:")
    for sms in outbox.sms:
        print(f"  {sms.phone_number:<16} {sms.text}")
    if not outbox.emails and not outbox.sms:
        print("(nothing sent yet)", file=sys.stderr)
    return 0
