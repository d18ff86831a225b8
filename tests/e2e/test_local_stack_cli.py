"""End to end: `photojobs-local` starts the whole system, the CLI signs in with the printed demo
login and lists the demo job, and Ctrl-C stops every child process."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from chalicelib.local.endpoint import free_port
from tests.e2e.stack import BIN, start_local_stack

pytestmark = pytest.mark.e2e


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(process: subprocess.Popen, pattern: str, timeout: float = 90) -> str:
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = "".join(lines)
        if re.search(pattern, seen):
            return seen
        if process.poll() is not None and not reader.is_alive():
            break
        time.sleep(0.2)
    raise AssertionError(f"did not see {pattern!r}; output so far:\n{''.join(lines)}")


@pytest.fixture()
def local_stack(tmp_path):
    process, ports = start_local_stack()
    try:
        output = wait_for(process, r"Press Ctrl-C to stop")
        yield process, ports, output
    finally:
        if process.poll() is None:
            process.kill()


def photojobs(
    api: str, config: Path, *args: str, password: str | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PHOTOJOBS_CONFIG_DIR": str(config)}
    if password:
        env["PHOTOJOBS_PASSWORD"] = password
    return subprocess.run(
        [str(BIN / "photojobs"), "--api", api, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_demo_login_lists_the_demo_job_and_ctrl_c_stops_everything(local_stack, tmp_path):
    process, ports, output = local_stack
    email = re.search(r"demo login\s+(\S+)", output).group(1)
    password = re.search(r"demo password\s+(\S+)", output).group(1)
    job_id = re.search(r"demo job\s+(\S+)", output).group(1)
    api = f"http://127.0.0.1:{ports['api']}"
    assert f"http://127.0.0.1:{ports['site']}/" in output

    login = photojobs(api, tmp_path, "login", "--email", email, password=password)
    assert login.returncode == 0, login.stderr
    assert "signed in as demo@photojobs.local" in login.stdout
    session_file = tmp_path / "session.json"
    assert oct(session_file.stat().st_mode & 0o777) == "0o600"

    listed = photojobs(api, tmp_path, "jobs", "list")
    assert listed.returncode == 0, listed.stderr
    assert job_id in listed.stdout and "St. John Primary School" in listed.stdout

    # The demo job has a price list (and sells once its galleries are built): a job of
    # another type starts without one, so the go-live checklist names it.
    created = photojobs(
        api,
        tmp_path,
        "jobs",
        "create",
        "--name",
        "Oak Primary",
        "--date",
        "2027-02-01",
        "--type",
        "kindergarten",
        "--internal-name",
        "oak-2027",
    )
    assert created.returncode == 0, created.stderr
    new_id = re.search(r"created job (\S+)", created.stdout).group(1)
    assert "Planning (inactive)" in photojobs(api, tmp_path, "jobs", "list").stdout
    same_type = photojobs(
        api,
        tmp_path,
        "jobs",
        "create",
        "--name",
        "Elm Primary",
        "--date",
        "2027-02-02",
        "--type",
        "primary school",
        "--internal-name",
        "elm-2027",
    )
    assert "settings taken from job" in same_type.stdout  # job-type defaults from the demo job
    selling = photojobs(api, tmp_path, "jobs", "status", new_id, "selling")
    assert selling.returncode == 1
    assert "Go-live checklist" in selling.stdout and "[ ] Price list" in selling.stdout
    forced = photojobs(api, tmp_path, "jobs", "status", new_id, "selling", "--force")
    assert forced.returncode == 0 and "is now Selling" in forced.stdout
    bad = photojobs(api, tmp_path, "jobs", "update", new_id, "--set", "registration=maybe")
    assert bad.returncode == 1
    assert "registration: must be one of off, optional, required" in bad.stderr

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    for port in ports.values():
        assert not port_open(port), f"port {port} still served after Ctrl-C"


def test_cli_without_session_or_with_wrong_password(local_stack, tmp_path):
    _, ports, _ = local_stack
    api = f"http://127.0.0.1:{ports['api']}"
    unsigned = photojobs(api, tmp_path, "jobs", "list")
    assert unsigned.returncode == 2
    assert "not signed in" in unsigned.stderr
    wrong = photojobs(
        api, tmp_path, "login", "--email", "demo@photojobs.local", password="Nope-123456"
    )
    assert wrong.returncode == 2
    assert "wrong email or password" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_a_port_in_use_gives_a_clear_message():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [str(BIN / "photojobs-local"), "--api-port", str(port), "--aws-port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 (for the API) is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def write_shoot(folder: Path, job_id: str) -> str:
    """A tiny shoot in the seed's folder layout: a class album with a card photo, and a group."""
    from PIL import Image

    from chalicelib.documents.card_face import render_card_face
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.tags import make_tag

    tag = make_tag(job_id, new_id())
    (folder / "3b").mkdir(parents=True)
    (folder / "group").mkdir()
    face = render_card_face(tag, "Zoë Müller", "3b", "St. John", dpi=200).convert("RGB")
    card = Image.new("RGB", (1800, 1200), (90, 110, 130))
    card.paste(face, (300, 200))
    card.save(folder / "3b" / "IMG_0001.jpg", quality=90)
    for n in (2, 3):
        Image.new("RGB", (1600, 1066), (40 * n, 90, 120)).save(folder / "3b" / f"IMG_000{n}.jpg")
    Image.new("RGB", (1600, 1066), (200, 180, 90)).save(folder / "group" / "class-3b.jpg")
    (folder / "3b" / "notes.txt").write_text("not a photo")
    return tag


def test_upload_a_shoot_and_see_it_processed(local_stack, tmp_path):
    _, ports, output = local_stack
    api = f"http://127.0.0.1:{ports['api']}"
    email = re.search(r"demo login\s+(\S+)", output).group(1)
    password = re.search(r"demo password\s+(\S+)", output).group(1)
    assert photojobs(api, tmp_path, "login", "--email", email, password=password).returncode == 0
    # A job of its own: the demo job already holds the demo shoot
    created = photojobs(
        api,
        tmp_path,
        "jobs",
        "create",
        "--name",
        "Birch Primary",
        "--date",
        "2027-03-01",
        "--type",
        "kindergarten",
        "--internal-name",
        "birch-2027",
    )
    assert created.returncode == 0, created.stderr
    job_id = re.search(r"created job (\S+)", created.stdout).group(1)
    tag = write_shoot(tmp_path / "shoot", job_id)

    uploaded = photojobs(api, tmp_path, "upload", job_id, str(tmp_path / "shoot"))
    assert uploaded.returncode == 0, uploaded.stderr
    assert "notes.txt" in uploaded.stderr  # skipped, with a warning

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = photojobs(api, tmp_path, "photos", "list", job_id, "--json")
        photos = json.loads(listed.stdout)
        if len(photos) == 4 and all(p["state"] == "ready" for p in photos):
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"photos not processed in time: {listed.stdout}")
    cards = [p for p in photos if p["is_card"]]
    assert [c["file_name"] for c in cards] == ["IMG_0001.jpg"]
    assert cards[0]["codes"][0]["value"] == tag
    assert {p["album"] for p in photos} == {"3b", "group"}
