"""Builds the two Lambda artefacts: the Chalice API package and the shared functions zip.

Runtime dependencies come from ``[project].dependencies`` in pyproject.toml (the single place
versions are pinned), minus what an artefact must not or need not carry.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nativefit import Runtime
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Not shipped to any Lambda: chalice is the framework (`chalice package` vendors the small part of
# it the API needs at run time); pyzbar needs the native libzbar, which no Lambda runtime has
# and which we do not ship, so on Lambda the image code must use zxing-cpp.
NOT_IN_ANY_LAMBDA = frozenset({"chalice", "pyzbar"})
# The API Lambda stays light: image libraries live only in the functions artefact. reportlab is
# one of them: it requires Pillow, and the PDFs it renders (QR cards, contact sheets) embed images.
IMAGE_ONLY = frozenset({"pillow", "zxing-cpp", "reportlab"})
# Must be in the functions artefact; build fails if pyproject.toml stops declaring them.
FUNCTIONS_MUST_HAVE = frozenset(
    {"pillow", "zxing-cpp", "jinja2", "pynamodb", "aws-lambda-powertools"}
)

# Local-only code never shipped: the moto-backed runner and the photographer's CLI.
DEV_ONLY_CODE = ("chalicelib/local", "chalicelib/cli")
SKIPPED_NAMES = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".DS_Store"})

MACHINE = "x86_64"

CHALICE_STAGE = "aws"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed so that unchanged code gives an identical zip


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class Requirements:
    api: list[str]
    functions: list[str]


def runtime_requirements(pyproject: Path) -> Requirements:
    declared = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    by_name = {canonicalize_name(Requirement(line).name): line for line in declared}
    missing = FUNCTIONS_MUST_HAVE - by_name.keys()
    if missing:
        raise BuildError(f"pyproject.toml no longer declares {sorted(missing)}")
    api = [line for name, line in by_name.items() if name not in NOT_IN_ANY_LAMBDA | IMAGE_ONLY]
    functions = [line for name, line in by_name.items() if name not in NOT_IN_ANY_LAMBDA]
    return Requirements(api=sorted(api), functions=sorted(functions))


def pip_environment(cache_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PIP_CACHE_DIR=str(cache_dir / "pip"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PIP_PROGRESS_BAR="off",
        # chalice needs a region to render ARNs; nothing is contacted.
        AWS_DEFAULT_REGION=env.get("AWS_DEFAULT_REGION", "us-east-1"),
    )
    return env


def run(command: list[str], env: dict[str, str], log: Path, cwd: Path | None = None) -> None:
    """Run a build command; its output goes to ``log`` and is shown only on failure."""
    with log.open("w") as out:
        result = subprocess.run(  # noqa: S603 - commands are built from fixed parts
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-30:])
        raise BuildError(f"{' '.join(command[:4])} ... failed ({result.returncode}):\n{tail}")


def _code_files(root: Path, package: str) -> Iterator[Path]:
    skipped = [root / prefix for prefix in DEV_ONLY_CODE]
    for path in sorted((root / package).rglob("*")):
        if any(part in SKIPPED_NAMES for part in path.parts) or path.suffix == ".pyc":
            continue
        if any(path.is_relative_to(prefix) for prefix in skipped):
            continue
        if path.is_file():
            yield path


def _copy_code(root: Path, package: str, dest: Path) -> None:
    for path in _code_files(root, package):
        target = dest / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def build_api(
    root: Path, build: Path, requirements: list[str], runtime: Runtime, merge_template: Path
) -> Path:
    """`chalice package` in a scratch copy of the project; returns the output directory.

    The dependencies are installed by us (wheels only, for the runtime's glibc) into the
    project's vendor/ directory, which Chalice copies as is; its requirements.txt stays empty so
    Chalice neither resolves nor builds anything itself.
    """
    project = build / "work" / "api-project"
    out = build / "package"
    shutil.rmtree(project, ignore_errors=True)
    (project / ".chalice").mkdir(parents=True)
    shutil.copy2(root / "app.py", project / "app.py")
    _copy_code(root, "chalicelib", project)
    for name in ("config.json", "policy-aws.json"):
        shutil.copy2(root / ".chalice" / name, project / ".chalice" / name)
    (project / "requirements.txt").write_text(
        "# Vendored by infra/build.py (pip --platform, wheels only):\n"
        + "".join(f"#   {line}\n" for line in requirements)
    )
    deps = install_deps(build, "api", requirements, runtime)
    shutil.copytree(deps, project / "vendor", ignore=shutil.ignore_patterns(".complete"))
    # Chalice caches the zip per hash of app + vendor under .chalice/deployments.
    deployments = build / "cache" / "chalice-deployments"
    deployments.mkdir(parents=True, exist_ok=True)
    (project / ".chalice" / "deployments").symlink_to(deployments.resolve())
    shutil.rmtree(out, ignore_errors=True)
    chalice = Path(sys.executable).parent / "chalice"
    command = [str(chalice), "--project-dir", str(project), "package", "--stage", CHALICE_STAGE]
    command += ["--pkg-format", "cloudformation", "--template-format", "json"]
    command += ["--merge-template", str(merge_template), str(out)]
    run(command, pip_environment(build / "cache"), build / "logs" / "chalice-package.log")
    (out / "sam.json").rename(out / "template.json")
    return out


def install_deps(build: Path, name: str, requirements: list[str], runtime: Runtime) -> Path:
    """pip install for a Lambda runtime, binary wheels only; cached by everything that matters."""
    major, minor = runtime.python
    glibc_major, glibc_minor = runtime.glibc[:2]
    # pip takes --platform literally, so every glibc level up to the runtime's is listed.
    platforms = [f"manylinux_{glibc_major}_{m}_{MACHINE}" for m in range(glibc_minor, 16, -1)]
    platforms.append(f"manylinux2014_{MACHINE}")
    args = ["--python-version", f"{major}.{minor}", "--implementation", "cp"]
    args += ["--abi", runtime.cp_tag, "--abi", "abi3", "--abi", "none"]
    args += [arg for platform in platforms for arg in ("--platform", platform)]
    args += ["--only-binary=:all:", "--no-compile"]
    key = hashlib.sha256("\n".join([*requirements, *args]).encode()).hexdigest()[:16]
    target = build / "cache" / "deps" / f"{name}-{key}"
    if (target / ".complete").exists():
        return target
    staging = target.with_suffix(".partial")
    shutil.rmtree(staging, ignore_errors=True)
    reqs = build / "work" / f"requirements-{name}.txt"
    reqs.parent.mkdir(parents=True, exist_ok=True)
    reqs.write_text("\n".join(requirements) + "\n")
    command = [sys.executable, "-m", "pip", "install", "--target", str(staging), *args]
    command += ["-r", str(reqs)]
    run(command, pip_environment(build / "cache"), build / "logs" / f"pip-{name}.log")
    # pip --target also writes console scripts; Lambda never runs them.
    shutil.rmtree(staging / "bin", ignore_errors=True)
    (staging / ".complete").touch()
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def _tree(base: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(base.rglob("*")):
        if path.is_file() and not (set(path.relative_to(base).parts) & SKIPPED_NAMES):
            if path.suffix != ".pyc" and path.name != ".complete":
                yield path, path.relative_to(base).as_posix()


def write_zip(entries: Iterable[tuple[Path, str]], zip_path: Path) -> None:
    """Deterministic zip: sorted names, fixed dates, normalised permissions."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for source, name in sorted(entries, key=lambda entry: entry[1]):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            mode = 0o755 if os.access(source, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes())


def font_entries(root: Path) -> list[tuple[Path, str]]:
    """The DejaVu files the PDFs use, from the build machine (Debian's fonts-dejavu-core, which
    ``make install`` installs), into ``chalicelib/documents/fonts/`` of the artefact: Lambda has
    no fonts, and without them names outside Windows-1252 would print as "?"."""
    from chalicelib.documents.fonts import BUNDLED_FONT_DIR, FONT_FILES, SYSTEM_FONT_DIR

    target = BUNDLED_FONT_DIR.relative_to(root.resolve()).as_posix()
    entries = []
    for file_name in [*FONT_FILES.values(), "LICENSE"]:
        source = SYSTEM_FONT_DIR / file_name
        if file_name == "LICENSE":
            source = Path("/usr/share/doc/fonts-dejavu-core/copyright")
        if not source.is_file():
            raise SystemExit(f"{source} is missing: install fonts-dejavu-core (make install)")
        entries.append((source, f"{target}/{file_name}"))
    return entries


def build_functions(root: Path, build: Path, requirements: list[str], runtime: Runtime) -> Path:
    deps = install_deps(build, "functions", requirements, runtime)
    entries = list(_tree(deps))
    for package in ("functions", "chalicelib"):
        entries += [
            (path, path.relative_to(root).as_posix()) for path in _code_files(root, package)
        ]
    entries += font_entries(root)
    zip_path = build / "package" / "functions.zip"
    write_zip(entries, zip_path)
    return zip_path


def unpack(zip_path: Path, dest: Path) -> int:
    """Unpack for inspection; returns the unzipped size in bytes (what Lambda limits)."""
    shutil.rmtree(dest, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(dest)  # our own freshly built archive
        return sum(info.file_size for info in archive.infolist())


def top_level_names(root: Path) -> set[str]:
    """Importable top-level names and distribution names present in an unpacked artefact."""
    names: set[str] = {
        canonicalize_name(path.name.split("-")[0]) for path in root.glob("*.dist-info")
    }
    names |= {path.name.lower() for path in root.iterdir() if path.is_dir()}
    names |= {path.stem.split(".")[0].lower() for path in root.glob("*.py")}
    names |= {path.name.split(".")[0].lower() for path in root.glob("*.so")}
    return names
