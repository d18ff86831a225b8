"""``photojobs-local`` as the e2e tests start it: on free ports, without the test run's AWS and
photojobs environment, its output on one pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from chalicelib.local.endpoint import free_port

BIN = Path(sys.executable).parent


def start_local_stack() -> tuple[subprocess.Popen[str], dict[str, int]]:
    """The started process (stdout and stderr on ``stdout``) and its ports by name."""
    ports = {"aws": free_port(), "api": free_port(), "site": free_port()}
    process = subprocess.Popen(
        [
            str(BIN / "photojobs-local"),
            "--aws-port",
            str(ports["aws"]),
            "--api-port",
            str(ports["api"]),
            "--site-port",
            str(ports["site"]),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "PHOTOJOBS_", "COGNITO_"))
        },
    )
    return process, ports
