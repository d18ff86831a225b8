"""The one place that knows the DynamoDB key scheme of the single table.

Access patterns (every one a GetItem or a Query; never a Scan):
  studio profile          pk=STUDIO#<studio>            sk=STUDIO
  contractees of a studio pk=STUDIO#<studio>            sk begins_with CONTRACTEE#
  internal-name claim     pk=STUDIO#<studio>            sk=INTERNAL#<lower-case name>
  job by id               pk=JOB#<job>                  sk=JOB
  jobs of a studio        gsi1pk=STUDIO#<studio>#JOBS   gsi1sk=<shooting date>#<job>
  jobs by status          gsi2pk=STUDIO#<studio>#JOBS#<status>  gsi2sk=<shooting date>#<job>
  latest job of a type    gsi3pk=STUDIO#<studio>#JOBTYPE#<type> gsi3sk=<created at>#<job>
"""

from __future__ import annotations

from datetime import date, datetime


def studio_pk(studio_id: str) -> str:
    return f"STUDIO#{studio_id}"


STUDIO_SK = "STUDIO"
JOB_SK = "JOB"
CONTRACTEE_PREFIX = "CONTRACTEE#"


def contractee_sk(contractee_id: str) -> str:
    return f"{CONTRACTEE_PREFIX}{contractee_id}"


def internal_name_sk(internal_name: str) -> str:
    return f"INTERNAL#{internal_name.casefold()}"


def job_pk(job_id: str) -> str:
    return f"JOB#{job_id}"


def jobs_by_date_pk(studio_id: str) -> str:
    return f"STUDIO#{studio_id}#JOBS"


def jobs_by_status_pk(studio_id: str, status: str) -> str:
    return f"STUDIO#{studio_id}#JOBS#{status}"


def jobs_sort_key(shooting_date: date, job_id: str) -> str:
    return f"{shooting_date.isoformat()}#{job_id}"


def jobs_by_type_pk(studio_id: str, job_type: str) -> str:
    return f"STUDIO#{studio_id}#JOBTYPE#{job_type.strip().casefold()}"


def created_sort_key(created_at: datetime, item_id: str) -> str:
    return f"{created_at.isoformat()}#{item_id}"


# Photos ------------------------------------------------------------------------------------
#   photo by id                 pk=JOB#<job>                sk=PHOTO#<photo>
#   a job's photos, by capture  gsi2pk=JOB#<job>#PHOTOS     gsi2sk=<capture sort key>
#   an album's photos           gsi1pk=JOB#<job>#ALBUM#<album>  gsi1sk=<capture sort key>
PHOTO_PREFIX = "PHOTO#"


def photo_sk(photo_id: str) -> str:
    return f"{PHOTO_PREFIX}{photo_id}"


def job_photos_pk(job_id: str) -> str:
    return f"JOB#{job_id}#PHOTOS"


def album_photos_pk(job_id: str, album: str) -> str:
    return f"JOB#{job_id}#ALBUM#{album}"


# Galleries ---------------------------------------------------------------------------------
#   a job's gallery build (one)   pk=JOB#<job>                  sk=GALLERY_BUILD
#   review decisions of a job     pk=JOB#<job>                  sk begins_with DECISION#
#     about one photo             pk=JOB#<job>                  sk=DECISION#PHOTO#<photo>
#     an accepted flag            pk=JOB#<job>                  sk=DECISION#FLAG#<flag key>
#   results of one build run      pk=JOB#<job>#BUILD#<run>      (the published run is visible)
#     a subject's gallery         sk=GALLERY#<subject>
#     a class's group photos      sk=GROUP#<class>
#     review flags, in order      sk=FLAG#<000000 ordinal>
GALLERY_BUILD_SK = "GALLERY_BUILD"
DECISION_PREFIX = "DECISION#"
PHOTO_DECISION_PREFIX = "DECISION#PHOTO#"
FLAG_DECISION_PREFIX = "DECISION#FLAG#"
GALLERY_PREFIX = "GALLERY#"
GROUP_PREFIX = "GROUP#"
FLAG_PREFIX = "FLAG#"


def photo_decision_sk(photo_id: str) -> str:
    return f"{PHOTO_DECISION_PREFIX}{photo_id}"


def flag_decision_sk(flag_key: str) -> str:
    return f"{FLAG_DECISION_PREFIX}{flag_key}"


def build_results_pk(job_id: str, run_id: str) -> str:
    return f"JOB#{job_id}#BUILD#{run_id}"


def gallery_sk(subject_id: str) -> str:
    return f"{GALLERY_PREFIX}{subject_id}"


def group_sk(class_name: str) -> str:
    return f"{GROUP_PREFIX}{class_name}"


def flag_sk(ordinal: int) -> str:
    return f"{FLAG_PREFIX}{ordinal:06d}"


# Subjects and access codes ------------------------------------------------------------------
#   subject by id                pk=JOB#<job>                  sk=SUBJECT#<subject>
#   a job's subjects (all)       pk=JOB#<job>                  sk begins_with SUBJECT#
#   a job's subjects, by name    gsi1pk=JOB#<job>#SUBJECTS     gsi1sk=<class, name sort key>
#   a shared job's one code      pk=JOB#<job>                  sk=SHARED_CODE
#   an import in progress        pk=JOB#<job>                  sk=IMPORT#<import>
#   code -> studio, job, subject pk=CODE#<canonical code>      sk=CODE   (the shop's one GetItem;
#                                claimed with attribute_not_exists, retired, never deleted)
SUBJECT_PREFIX = "SUBJECT#"
SHARED_CODE_SK = "SHARED_CODE"
IMPORT_PREFIX = "IMPORT#"
CODE_SK = "CODE"


def subject_sk(subject_id: str) -> str:
    return f"{SUBJECT_PREFIX}{subject_id}"


def job_subjects_pk(job_id: str) -> str:
    return f"JOB#{job_id}#SUBJECTS"


def import_sk(import_id: str) -> str:
    return f"{IMPORT_PREFIX}{import_id}"


def code_pk(code: str) -> str:
    """`code` is the canonical key (``access_codes.code_key``): one item per spelling-free code."""
    return f"CODE#{code}"


# Price profiles and vouchers ----------------------------------------------------------------
#   price profile by id          pk=STUDIO#<studio>             sk=PRICEPROFILE#<profile>
#   a studio's price profiles    pk=STUDIO#<studio>             sk begins_with PRICEPROFILE#
#   jobs using a price profile   the studio's jobs (gsi1pk=STUDIO#<studio>#JOBS) filtered on
#                                price_profile_id: only when a profile is deleted
#   studio voucher               pk=STUDIO#<studio>             sk=VOUCHER#<code>
#   a studio's vouchers          pk=STUDIO#<studio>             sk begins_with VOUCHER#
#   job voucher                  pk=JOB#<job>                   sk=VOUCHER#<code>
#   a job's vouchers             pk=JOB#<job>                   sk begins_with VOUCHER#
#   voucher code claim           pk=STUDIO#<studio>             sk=VOUCHERCODE#<code>  (a code
#                                is unique in its studio across both scopes; same transaction)
#   redemption by an access code pk=VOUCHER#<studio>#<code>     sk=REDEEMED#<access code key>
#                                (attribute_not_exists: once per code; part of the order write)
PRICE_PROFILE_PREFIX = "PRICEPROFILE#"
VOUCHER_PREFIX = "VOUCHER#"


def price_profile_sk(profile_id: str) -> str:
    return f"{PRICE_PROFILE_PREFIX}{profile_id}"


def voucher_sk(code: str) -> str:
    """`code` is the normalised code (``vouchers.normalize_voucher_code``)."""
    return f"{VOUCHER_PREFIX}{code}"


def voucher_code_claim_sk(code: str) -> str:
    return f"VOUCHERCODE#{code}"


def voucher_redemptions_pk(studio_id: str, code: str) -> str:
    return f"VOUCHER#{studio_id}#{code}"


def redeemed_sk(access_code_key: str) -> str:
    return f"REDEEMED#{access_code_key}"


# Communication: profiles, messages, opt-outs, newsletters ------------------------------------
#   communication profile        pk=STUDIO#<studio>             sk=COMMPROFILE#<profile>
#   a studio's profiles          pk=STUDIO#<studio>             sk begins_with COMMPROFILE#
#   jobs using a profile         the studio's jobs (gsi1pk=STUDIO#<studio>#JOBS) filtered on
#                                communication_profile_id: only when a profile is deleted
#   message to one recipient     pk=JOB#<job>#MESSAGES          sk=MSG#<step>#<message key>
#                                (claimed with a conditional put before sending: exactly once)
#   a job's messages (the log)   pk=JOB#<job>#MESSAGES          sk begins_with MSG#
#     of one step                pk=JOB#<job>#MESSAGES          sk begins_with MSG#<step>#
#   what one step's runs did     pk=JOB#<job>#MESSAGES          sk=STEP#<step>   (counters)
#   a studio's opt-outs          pk=STUDIO#<studio>#OPTOUTS     sk=<channel>#<address>
#   newsletter of a job          pk=JOB#<job>                   sk=NEWSLETTER#<newsletter>
COMM_PROFILE_PREFIX = "COMMPROFILE#"
MESSAGE_PREFIX = "MSG#"
STEP_RUNS_PREFIX = "STEP#"
NEWSLETTER_PREFIX = "NEWSLETTER#"


def communication_profile_sk(profile_id: str) -> str:
    return f"{COMM_PROFILE_PREFIX}{profile_id}"


def job_messages_pk(job_id: str) -> str:
    return f"JOB#{job_id}#MESSAGES"


def step_messages_prefix(step_id: str) -> str:
    return f"{MESSAGE_PREFIX}{step_id}#"


def message_sk(step_id: str, message_key: str) -> str:
    """`message_key` is the domain's identity of one message (``communication.message_key``)."""
    return f"{step_messages_prefix(step_id)}{message_key}"


def step_runs_sk(step_id: str) -> str:
    return f"{STEP_RUNS_PREFIX}{step_id}"


def opt_outs_pk(studio_id: str) -> str:
    return f"STUDIO#{studio_id}#OPTOUTS"


def opt_out_sk(channel: str, address: str) -> str:
    """`address` normalised: a lower-case email address or an E.164 number."""
    return f"{channel}#{address}"


def newsletter_sk(newsletter_id: str) -> str:
    return f"{NEWSLETTER_PREFIX}{newsletter_id}"


# The shop: customers, orders and failed-login counters --------------------------------------
#   customer (registration)      pk=JOB#<job>                   sk=CUSTOMER#<e-mail, casefolded>
#   a job's customers            pk=JOB#<job>                   sk begins_with CUSTOMER#
#   a session entry registered   pk=JOB#<job>                   sk=REGISTERED#<subject or *>
#                                (read with the job in the shop's one BatchGetItem; written in
#                                the customer's transaction)
#   order by id                  pk=ORDER#<order>               sk=ORDER  (lines inside)
#   a job's orders, by time      gsi1pk=JOB#<job>#ORDERS        gsi1sk=<created at>#<order>
#   a job's orders of a status   gsi2pk=JOB#<job>#ORDERS#<status>  gsi2sk=<created at>#<order>
#   failed-login counter         pk=THROTTLE#<ADDR|JOB>#<value> sk=WINDOW#<window start epoch>
#                                (conditional ADD; TTL expires_at)
CUSTOMER_PREFIX = "CUSTOMER#"
ORDER_SK = "ORDER"


def customer_sk(email: str) -> str:
    return f"{CUSTOMER_PREFIX}{email.casefold()}"


def registered_sk(registration_key: str) -> str:
    """`registration_key` is a subject id, or ``*`` for a shared job's code."""
    return f"REGISTERED#{registration_key}"


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def job_orders_pk(job_id: str) -> str:
    return f"JOB#{job_id}#ORDERS"


def job_orders_by_status_pk(job_id: str, status: str) -> str:
    return f"JOB#{job_id}#ORDERS#{status}"


def throttle_pk(scope: str, value: str) -> str:
    return f"THROTTLE#{scope}#{value}"


def throttle_sk(window_key: str) -> str:
    return f"WINDOW#{window_key}"


# The shop's carts -----------------------------------------------------------------------------
#   a customer's cart of a job   pk=JOB#<job>                   sk=CART#CUSTOMER#<customer>
#   an anonymous session's cart  pk=JOB#<job>                   sk=CART#SESSION#<session>
#                                (both read and written whole; TTL expires_at)
CART_PREFIX = "CART#"


def cart_sk(owner_kind: str, owner_id: str) -> str:
    """`owner_kind` is ``customer`` or ``session`` (``carts.CartOwnerKind``)."""
    return f"{CART_PREFIX}{owner_kind.upper()}#{owner_id}"
