"""Cold-process import time of the API entry module (`python -X importtime`), median of runs.

Target: <= 350 ms on the 2-core reference machine. Prints numbers, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET_MS = 350.0


def import_ms(module_code: str) -> tuple[float, list[tuple[float, str]]]:
    """Total import time of one cold process, and its heaviest top-level imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", module_code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0.0
    top: list[tuple[float, str]] = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if not name.startswith(" ") and not line.split("|")[2].startswith("  "):
            micros = float(cumulative)
            total += micros
            top.append((micros / 1000, name.strip()))
    return total / 1000, sorted(top, reverse=True)[:5]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    code = "import runpy; runpy.run_path('app.py')"
    samples = []
    heaviest: list[tuple[float, str]] = []
    for _ in range(args.runs):
        total, heaviest = import_ms(code)
        samples.append(total)
    median = statistics.median(samples)
    print("API entry module (app.py) import time, cold process")
    print(f"  runs            {args.runs}")
    print(f"  median          {median:7.1f} ms")
    print(f"  min / max       {min(samples):7.1f} / {max(samples):.1f} ms")
    print(f"  target          {TARGET_MS:7.1f} ms   ratio median/target = {median / TARGET_MS:.2f}")
    print("  heaviest top-level imports (last run):")
    for millis, name in heaviest:
        print(f"    {millis:7.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
