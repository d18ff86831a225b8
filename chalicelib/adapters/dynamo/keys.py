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
