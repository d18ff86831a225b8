"""Builds the deployable definition of photojobs and proves, offline, that it would run.

    python infra/build.py package   # artefacts + merged template into infra/build/package/
    python infra/build.py check     # package, then prove fit and lint; exit 1 on any problem

Only PyPI is contacted (pip, cached under infra/build/cache/). See infra/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

import artefacts
import nativefit
import templatecheck

T = TypeVar("T")
INFRA = Path(__file__).resolve().parent
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
API_RUNTIME = nativefit.RUNTIMES[f"python{sys.version_info[0]}.{sys.version_info[1]}"]
FUNCTIONS_RUNTIME = nativefit.RUNTIMES["python3.12"]
# Placeholder configuration for the import smoke test: modules may read settings at import.
SMOKE_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "smoke-test",
    "AWS_SECRET_ACCESS_KEY": "smoke-test",  # not a secret: nothing is ever called
    "PHOTOJOBS_TABLE": "photojobs-smoke",
    "PHOTOJOBS_BUCKET": "photojobs-smoke-media",
    "PHOTOJOBS_STAGE": "smoke",
    "COGNITO_USER_POOL_ID": "us-east-1_smoke",
    "COGNITO_CLIENT_ID": "smoke",
    "COGNITO_JWKS_URL": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_smoke/.well-known/jwks.json",
    "COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_smoke",
    "PHOTOJOBS_SESSION_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:smoke",
    "PHOTOJOBS_SENDER_EMAIL": "noreply@example.com",
    "PHOTOJOBS_SHOP_URL": "https://shop.example.com",
    "PHOTOJOBS_WORK_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/photojobs-smoke-work",
    "PHOTOJOBS_DOCUMENTS_FUNCTION": "photojobs-smoke-render-documents",
    "POWERTOOLS_SERVICE_NAME": "smoke",
    "POWERTOOLS_METRICS_NAMESPACE": "smoke",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Artefact:
    name: str
    code_uri: str
    runtime: nativefit.Runtime
    zip_path: Path
    unpacked: Path
    handlers: list[str] = field(default_factory=list)  # from the template, smoke-imported
    unzipped_bytes: int = 0
    fit: nativefit.FitReport | None = None
    smoke: str = "not run"


class Check:
    """Collects problems instead of stopping at the first, so one run shows all of them."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.started = time.monotonic()

    def step(self, title: str, action: Callable[[], T]) -> T:
        print(f"==> {title}", flush=True)
        began = time.monotonic()
        result = action()
        print(f"    done in {time.monotonic() - began:.1f}s", flush=True)
        return result

    def fail(self, problem: str) -> None:
        print(f"    PROBLEM: {problem}", flush=True)
        self.problems.append(problem)


def preflight(root: Path, template: Path) -> list[str]:
    """What can be found wrong before building: missing files, template/handler mismatches."""
    needed = [root / "app.py", root / "pyproject.toml", root / "chalicelib" / "__init__.py"]
    needed += [root / ".chalice" / "config.json", root / ".chalice" / "policy-aws.json"]
    problems = [f"missing {path.relative_to(root)}" for path in needed if not path.exists()]
    if not template.is_file():
        problems.append(f"missing {template}")
    else:
        problems += templatecheck.handler_problems(templatecheck.load_yaml(template), root)
    if shutil.which("objdump") is None:
        problems.append("objdump not found: install binutils (apt-get install binutils)")
    return problems


def find_interpreter(version: str) -> str | None:
    """A working pythonX.Y (pyenv shims exist but fail for versions that are not selected)."""
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(
        str(p) for p in Path.home().glob(f".pyenv/versions/{version}*/bin/python3")
    )
    candidates += [f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    for candidate in filter(None, candidates):
        probe = subprocess.run(  # noqa: S603
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def smoke(artefact: Artefact, kind: str, handlers: list[str]) -> str:
    version = "{}.{}".format(*artefact.runtime.python)
    interpreter = sys.executable if kind == "api" else find_interpreter(version)
    if interpreter is None:
        return f"skipped: no python{version} on this machine (ELF/tag proof still applies)"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(Path.home()), **SMOKE_ENV}
    result = subprocess.run(  # noqa: S603
        [interpreter, "-S", "-E", str(INFRA / "smoke.py"), str(artefact.unpacked), kind, *handlers],
        capture_output=True,
        text=True,
        env=env,
        cwd=artefact.unpacked,
        check=False,
        timeout=300,
    )
    if result.returncode != 0:
        raise artefacts.BuildError(
            f"{artefact.name}: import smoke test failed:\n{result.stderr.strip()[-2000:]}"
        )
    return result.stdout.strip()


def verify_artefact(check: Check, artefact: Artefact) -> None:
    artefact.unzipped_bytes = artefacts.unpack(artefact.zip_path, artefact.unpacked)
    report = nativefit.check_fit(
        artefact.unpacked, artefact.name, artefact.runtime, artefacts.MACHINE
    )
    artefact.fit = report
    for problem in report.problems:
        check.fail(f"{artefact.name}: {problem}")
    if artefact.unzipped_bytes > LAMBDA_UNZIPPED_LIMIT:
        check.fail(f"{artefact.name}: {artefact.unzipped_bytes / 2**20:.0f} MiB unzipped > 250 MiB")
    present = artefacts.top_level_names(artefact.unpacked)
    kind = artefact.name
    if kind == "api":
        forbidden = {"pil", "pillow", "pyzbar", "zxingcpp", "zxing-cpp"} & present
    else:
        # pyzbar cannot load on Lambda (no libzbar): it must not be there to be picked.
        forbidden = {"pyzbar"} & present
        missing = {"pil", "zxingcpp"} - present
        if missing:
            check.fail(f"{artefact.name}: missing {sorted(missing)}")
    if forbidden:
        check.fail(f"{artefact.name}: must not contain {sorted(forbidden)}")
    try:
        artefact.smoke = smoke(artefact, kind, artefact.handlers)
    except (artefacts.BuildError, subprocess.TimeoutExpired) as error:
        artefact.smoke = "FAILED"
        check.fail(str(error))


def print_fit_table(items: list[Artefact]) -> None:
    header = ["artefact", "runtime", "arch", "zip MiB", "unzipped MiB", "ELF", "wheels"]
    header += ["max GLIBC", "max GLIBCXX", "verdict"]
    rows: list[list[str]] = [header]
    for item in items:
        fit = item.fit
        assert fit is not None
        rows.append(
            [
                item.name,
                f"{item.runtime.name} ({item.runtime.os}, "
                f"glibc {nativefit.describe(item.runtime.glibc)})",
                fit.architecture,
                f"{item.zip_path.stat().st_size / 2**20:.1f}",
                f"{item.unzipped_bytes / 2**20:.1f}",
                str(fit.elf_files),
                str(fit.wheels),
                nativefit.describe(fit.max_required.get("GLIBC", ())),
                nativefit.describe(fit.max_required.get("GLIBCXX", ())),
                "fits"
                if fit.ok and item.unzipped_bytes <= LAMBDA_UNZIPPED_LIMIT
                else "DOES NOT FIT",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))
    for item in items:
        lines = item.smoke.splitlines() or [""]
        print(f"  smoke {item.name}: {lines[0]}")
        for line in lines[1:]:
            print(f"    {line}")


def install_sam_translator(build: Path, env: dict[str, str]) -> Path:
    name = templatecheck.SAM_TRANSLATOR.replace("==", "-")
    tools = build / "cache" / "tools" / name
    if not (tools / ".complete").exists():
        shutil.rmtree(tools, ignore_errors=True)
        command = [sys.executable, "-m", "pip", "install", "--target", str(tools)]
        command += ["--no-compile", templatecheck.SAM_TRANSLATOR]
        artefacts.run(command, env, build / "logs" / "pip-sam-translator.log")
        (tools / ".complete").touch()
    return tools


def lint(check: Check, build: Path, package: Path) -> list[templatecheck.LintResult]:
    env = artefacts.pip_environment(build / "cache")
    tools = check.step("install the SAM translator", lambda: install_sam_translator(build, env))
    translated = build / "lint" / "template.translated.json"
    translated.parent.mkdir(parents=True, exist_ok=True)
    error = check.step(
        "translate SAM -> CloudFormation (offline)",
        lambda: templatecheck.sam_translate(package / "template.json", translated, tools, env),
    )
    if error:
        check.fail(f"SAM translation failed: {error}")
    targets = [(package / "template.json", "template.json (SAM, as deployed)")]
    if not error:
        targets.append((translated, "template.translated.json (after SAM transform)"))
    results = []
    for path, name in targets:
        result = check.step(f"cfn-lint {name}", partial(templatecheck.cfn_lint, path, name))
        for finding in result.errors:
            check.fail(f"cfn-lint {name}: {finding}")
        for finding in result.warnings + result.informational:
            print(f"    {finding}")
        results.append(result)
    return results


def build_artefacts(check: Check, root: Path, build: Path) -> list[Artefact]:
    requirements = artefacts.runtime_requirements(root / "pyproject.toml")
    merge_template = build / "work" / "merge-template.json"
    templatecheck.write_merge_template(INFRA / "template.yaml", merge_template)
    package = check.step(
        f"deployment.zip: chalice package (API, {API_RUNTIME.name})",
        lambda: artefacts.build_api(root, build, requirements.api, API_RUNTIME, merge_template),
    )
    functions_zip = check.step(
        f"functions.zip ({FUNCTIONS_RUNTIME.name})",
        lambda: artefacts.build_functions(root, build, requirements.functions, FUNCTIONS_RUNTIME),
    )
    inspect = build / "inspect"
    return [
        Artefact(
            "api", "./deployment.zip", API_RUNTIME, package / "deployment.zip", inspect / "api"
        ),
        Artefact(
            "functions", "./functions.zip", FUNCTIONS_RUNTIME, functions_zip, inspect / "functions"
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["package", "check"])
    parser.add_argument(
        "--project-root", type=Path, default=INFRA.parent, help="repository root (default: ..)"
    )
    parser.add_argument("--build-dir", type=Path, default=INFRA / "build")
    args = parser.parse_args(argv)
    root: Path = args.project_root.resolve()
    build: Path = args.build_dir.resolve()
    (build / "logs").mkdir(parents=True, exist_ok=True)
    check = Check()

    missing = preflight(root, INFRA / "template.yaml")
    if missing:
        for problem in missing:
            print(f"PROBLEM: {problem}")
        return 1
    try:
        items = build_artefacts(check, root, build)
    except artefacts.BuildError as error:
        print(f"PROBLEM: {error}")
        return 1
    package = items[0].zip_path.parent
    template = json.loads((package / "template.json").read_text())
    # The handlers to smoke-import are the ones the merged template deploys (Chalice's included).
    for function in templatecheck.function_handlers(template):
        for item in items:
            if item.code_uri == function.code_uri:
                item.handlers.append(function.handler)
    for item in items:
        check.step(
            f"prove {item.name} fits {item.runtime.name}", partial(verify_artefact, check, item)
        )

    proven = {
        item.code_uri: (item.runtime.name, artefacts.MACHINE, item.unpacked) for item in items
    }
    for problem in templatecheck.cross_check(template, package, proven):
        check.fail(problem)

    lint_results = lint(check, build, package) if args.command == "check" else []

    print("\nLambda artefacts")
    print_fit_table(items)
    for result in lint_results:
        print(
            f"cfn-lint {result.name}: {len(result.errors)} errors, {len(result.warnings)} "
            f"warnings, {len(result.informational)} informational"
        )
    for rule, reason in templatecheck.IGNORED_CHECKS.items():
        print(f"  ignored {rule}: {reason}")
    print(f"\noutput: {package} (template.json, deployment.zip, functions.zip)")
    elapsed = time.monotonic() - check.started
    if check.problems:
        print(f"\n{len(check.problems)} problem(s) in {elapsed:.0f}s:")
        for problem in check.problems:
            print(f"  - {problem}")
        return 1
    print(f"\nOK: {args.command} passed in {elapsed:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
