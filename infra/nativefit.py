"""Proves that an unpacked Lambda artefact can load on its runtime.

Two independent sources of truth are read:

* every ``*.dist-info/WHEEL`` file: the tags the wheel was built for (Python, ABI, platform);
* every ELF file: its machine, the shared libraries it needs and the symbol versions it
  requires from glibc / libstdc++ (``objdump -p``: the "Version References" section).

A wheel tag can lie (or a package can vendor a prebuilt binary), the ELF cannot: the symbol
versions are what the dynamic loader checks when Lambda imports the module.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
# e_machine values (ELF header offset 18) of the two Lambda architectures.
ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


@dataclass(frozen=True)
class Runtime:
    """What a Lambda runtime image offers to native code."""

    name: str  # Lambda's identifier, e.g. python3.12
    python: tuple[int, int]
    os: str
    # Highest symbol version the image's libraries define, per version namespace: glibc itself,
    # libstdc++ (GLIBCXX, CXXABI) of the system GCC, and zlib (allowed as a system library since
    # auditwheel 5 / PEP 600, so wheels such as Pillow link it instead of bundling it).
    ceilings: dict[str, tuple[int, ...]]

    @property
    def cp_tag(self) -> str:
        return f"cp{self.python[0]}{self.python[1]}"

    @property
    def glibc(self) -> tuple[int, ...]:
        return self.ceilings["GLIBC"]


# Amazon Linux 2: glibc 2.26, GCC 7 (GLIBCXX_3.4.24), zlib 1.2.7.
# Amazon Linux 2023: glibc 2.34, GCC 11 (GLIBCXX_3.4.29), zlib 1.2.11.
_AL2 = {"GLIBC": (2, 26), "GLIBCXX": (3, 4, 24), "CXXABI": (1, 3, 11), "ZLIB": (1, 2, 7)}
_AL2023 = {"GLIBC": (2, 34), "GLIBCXX": (3, 4, 29), "CXXABI": (1, 3, 13), "ZLIB": (1, 2, 11)}
RUNTIMES = {
    "python3.11": Runtime("python3.11", (3, 11), "Amazon Linux 2", _AL2),
    "python3.12": Runtime("python3.12", (3, 12), "Amazon Linux 2023", _AL2023),
    "python3.13": Runtime("python3.13", (3, 13), "Amazon Linux 2023", _AL2023),
}

# Libraries the runtime image provides: the manylinux policy's system set *without* its X11, GL
# and GLib entries, which Lambda images do not have. Anything else an ELF needs must be inside
# the artefact itself (auditwheel puts such libraries in <package>.libs/).
SYSTEM_LIBRARIES = frozenset(
    {
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libutil.so.1",
        "libgcc_s.so.1",
        "libstdc++.so.6",
        "ld-linux-x86-64.so.2",
        "ld-linux-aarch64.so.1",
        "libresolv.so.2",
        "libnsl.so.1",
        "libz.so.1",
    }
)

_MANYLINUX_LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_VERSION_REF = re.compile(r"\b(GLIBC|GLIBCXX|CXXABI|ZLIB)_([0-9][0-9.]*)\b")
_NEEDED = re.compile(r"^\s*NEEDED\s+(\S+)", re.MULTILINE)
_EXTENSION_SUFFIX = re.compile(r"\.(cpython-(\d)(\d+)[^.]*|abi3)\.so$")


@dataclass
class FitReport:
    artefact: str
    runtime: Runtime
    architecture: str
    elf_files: int = 0
    wheels: int = 0
    # Highest version required per namespace (GLIBC, GLIBCXX, CXXABI, ZLIB) over all ELF files.
    max_required: dict[str, tuple[int, ...]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part)


def _fmt(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version)) if version else "-"


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == ELF_MAGIC
    except OSError:
        return False


def _elf_machine(path: Path) -> str:
    with path.open("rb") as handle:
        header = handle.read(20)
    little_endian = header[5] == 1
    machine = int.from_bytes(header[18:20], "little" if little_endian else "big")
    return ELF_MACHINES.get(machine, f"unknown(0x{machine:x})")


def _objdump(path: Path) -> str:
    objdump = shutil.which("objdump")
    if objdump is None:
        raise RuntimeError("objdump not found: install binutils")
    result = subprocess.run(  # noqa: S603 - fixed tool, path from our own build dir
        [objdump, "-p", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"objdump failed on {path}: {result.stderr.strip()}")
    return result.stdout


def _check_elf(path: Path, rel: str, report: FitReport, bundled: set[str]) -> None:
    rt = report.runtime
    machine = _elf_machine(path)
    if machine != report.architecture:
        report.problems.append(f"{rel}: built for {machine}, artefact is {report.architecture}")
    dump = _objdump(path)
    # Only the "Version References" part lists what this file *requires*; symbol versions it
    # defines (libstdc++ bundled in a wheel defines GLIBCXX_*) appear under "Version definitions".
    refs = dump.split("Version References:", 1)[1] if "Version References:" in dump else ""
    for kind, text in _VERSION_REF.findall(refs):
        needed = _version(text)
        report.max_required[kind] = max(report.max_required.get(kind, ()), needed)
        if needed > rt.ceilings[kind]:
            report.problems.append(
                f"{rel}: needs {kind}_{text}, {rt.name} has {_fmt(rt.ceilings[kind])}"
            )
    for library in _NEEDED.findall(dump):
        if library not in SYSTEM_LIBRARIES and library not in bundled:
            report.problems.append(f"{rel}: needs {library}, neither in the runtime nor bundled")
    match = _EXTENSION_SUFFIX.search(path.name)
    if match and match.group(1) != "abi3":
        built_for = (int(match.group(2)), int(match.group(3)))
        if built_for != rt.python:
            report.problems.append(
                f"{rel}: extension for CPython {built_for[0]}.{built_for[1]}, runtime is "
                f"{rt.python[0]}.{rt.python[1]}"
            )


def _tag_fits(tag: str, rt: Runtime, machine: str) -> bool:
    """One ``py-abi-platform`` triple from a WHEEL file, judged against the runtime."""
    interpreter, abi, platform = tag.split("-")
    if re.fullmatch(r"cp\d\d+", interpreter):
        version = (int(interpreter[2]), int(interpreter[3:]))
        # cp3X + abi3 runs on any later CPython 3; cp3X + cp3X only on exactly that one.
        python_ok = version <= rt.python if abi in ("abi3", "none") else version == rt.python
    else:
        python_ok = interpreter in ("py3", "py2.py3") or interpreter.startswith("py3")
    abi_ok = abi in ("none", "abi3", rt.cp_tag)
    if platform == "any":
        platform_ok = True
    else:
        legacy = re.fullmatch(r"(manylinux1|manylinux2010|manylinux2014)_(\w+)", platform)
        perennial = re.fullmatch(r"manylinux_(\d+)_(\d+)_(\w+)", platform)
        if legacy:
            glibc, arch = _MANYLINUX_LEGACY[legacy.group(1)], legacy.group(2)
        elif perennial:
            glibc = (int(perennial.group(1)), int(perennial.group(2)))
            arch = perennial.group(3)
        else:
            return False  # linux_x86_64, musllinux, macosx, win: never for Lambda
        platform_ok = arch == machine and glibc <= rt.glibc
    return python_ok and abi_ok and platform_ok


def _check_wheels(root: Path, report: FitReport) -> None:
    for wheel_file in sorted(root.glob("*.dist-info/WHEEL")):
        report.wheels += 1
        tags = [
            line.split(":", 1)[1].strip()
            for line in wheel_file.read_text().splitlines()
            if line.startswith("Tag:")
        ]
        # A WHEEL may list several tags (e.g. manylinux_2_27 and manylinux_2_28): one must fit.
        if not any(_tag_fits(tag, report.runtime, report.architecture) for tag in tags):
            report.problems.append(
                f"{wheel_file.parent.name}: no wheel tag fits {report.runtime.name}/"
                f"{report.architecture}: {', '.join(tags) or 'no tags'}"
            )


def check_fit(root: Path, artefact: str, runtime: Runtime, architecture: str) -> FitReport:
    """Inspect the unpacked artefact at ``root``."""
    report = FitReport(artefact=artefact, runtime=runtime, architecture=architecture)
    files = [path for path in sorted(root.rglob("*")) if path.is_file() and not path.is_symlink()]
    elves = [path for path in files if _is_elf(path)]
    bundled = {path.name for path in elves}
    for path in elves:
        report.elf_files += 1
        _check_elf(path, str(path.relative_to(root)), report, bundled)
    _check_wheels(root, report)
    if report.wheels == 0:
        report.problems.append("no *.dist-info/WHEEL found: cannot prove the wheels' tags")
    return report


def describe(version: tuple[int, ...]) -> str:
    return _fmt(version)
