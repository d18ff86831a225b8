"""Loads, cross-checks and lints the CloudFormation/SAM template."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

SAM_TRANSLATOR = "aws-sam-translator==1.115.0"

# cfn-lint findings we accept, each with the reason. Errors are never ignored.
IGNORED_CHECKS: dict[str, str] = {}

PLACEHOLDER_SID = "PlaceholderReplacedByInfraTemplate"


def load_yaml(path: Path) -> dict[str, Any]:
    """CloudFormation YAML (short-form !Ref/!GetAtt/!Sub ...) as plain JSON-able data."""
    data: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(path))))
    return data


def write_merge_template(source: Path, target: Path) -> None:
    # Chalice's own YAML loader handles short-form tags only shallowly; JSON is unambiguous.
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(load_yaml(source), indent=1))


@dataclass
class LintResult:
    name: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    informational: list[str] = field(default_factory=list)


_LINT_LINE = re.compile(r"^(?P<file>.+?):\d+:\d+:\d+:\d+:(?P<rule>[EWI]\d+):(?P<message>.*)$")


def cfn_lint(path: Path, name: str) -> LintResult:
    cfn_lint_bin = Path(sys.executable).parent / "cfn-lint"
    command = [str(cfn_lint_bin), "--format", "parseable", "--include-checks", "I"]
    if IGNORED_CHECKS:
        command += ["--ignore-checks", *IGNORED_CHECKS]
    result = subprocess.run(  # noqa: S603 - fixed tool and our own file
        [*command, "--", str(path)], capture_output=True, text=True, check=False
    )
    lint = LintResult(name)
    for line in result.stdout.splitlines():
        match = _LINT_LINE.match(line)
        if not match:
            lint.errors.append(f"unparsed cfn-lint output: {line}")
            continue
        finding = f"{match['rule']} {match['message']}"
        {"E": lint.errors, "W": lint.warnings, "I": lint.informational}[match["rule"][0]].append(
            finding
        )
    if result.returncode & 1 or (result.returncode and not result.stdout):
        lint.errors.append(f"cfn-lint failed to run: {result.stderr.strip()}")
    return lint


def sam_translate(template: Path, target: Path, tools: Path, env: dict[str, str]) -> str | None:
    """Translate the SAM template to plain CloudFormation; returns an error text or None."""
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-S",
            str(Path(__file__).with_name("samtranslate.py")),
            *map(str, (tools, template, target)),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        return (result.stderr or result.stdout).strip()[-3000:]
    return None


FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
# The artefact infra/build.py builds from functions/ (+ chalicelib/); the API's deployment.zip
# and its handler (app.app) come from `chalice package` and only exist in the merged template.
FUNCTIONS_CODE_URI = "./functions.zip"
FUNCTIONS_DIR = "functions"


@dataclass(frozen=True)
class FunctionHandler:
    """One Lambda function of the template: where its code is and what Lambda calls."""

    logical_id: str
    code_uri: str | None  # CodeUri (SAM) or Code (plain Lambda) when it is a local path
    handler: str  # "package.module.function", exactly as in the template
    properties: dict[str, Any] = field(compare=False, repr=False)

    @property
    def module(self) -> str:
        return self.handler.rpartition(".")[0]


def function_handlers(template: dict[str, Any]) -> list[FunctionHandler]:
    """Every AWS::Serverless::Function and AWS::Lambda::Function that names a Handler.

    Functions without one are skipped: in infra/template.yaml that is only APIHandler, whose
    Handler and CodeUri Chalice adds when it merges the template.
    """
    found = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") not in FUNCTION_TYPES:
            continue
        properties = resource.get("Properties", {})
        handler = properties.get("Handler")
        if not isinstance(handler, str):
            continue
        key = "CodeUri" if resource["Type"] == "AWS::Serverless::Function" else "Code"
        code = properties.get(key)
        found.append(
            FunctionHandler(
                logical_id, code if isinstance(code, str) else None, handler, properties
            )
        )
    return found


def _module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if module and candidate.is_file():
            return candidate
    return None


def handler_problems(template: dict[str, Any], root: Path) -> list[str]:
    """Template functions and ``functions/*/handler.py`` must match one to one, before building.

    Every function on functions.zip must name a module that exists under ``root`` (so that the
    smoke import can prove it), and every ``functions/<name>/handler.py`` must be the handler of
    some function in the template (otherwise it would never be deployed).
    """
    problems: list[str] = []
    used: set[Path] = set()
    for function in function_handlers(template):
        if function.code_uri is None:
            problems.append(
                f"{function.logical_id}: Handler {function.handler} but no local CodeUri; "
                f"use CodeUri: {FUNCTIONS_CODE_URI}"
            )
            continue
        if function.code_uri != FUNCTIONS_CODE_URI:
            continue  # not built from functions/: cross_check reports it after packaging
        path = _module_file(root, function.module)
        if path is None:
            expected = "/".join(function.module.split(".")) + ".py"
            problems.append(
                f"{function.logical_id}: handler module {function.module} does not exist "
                f"(Handler {function.handler}, expected {expected})"
            )
        else:
            used.add(path.resolve())
    for handler_file in sorted((root / FUNCTIONS_DIR).glob("*/handler.py")):
        if handler_file.resolve() not in used:
            module = f"{FUNCTIONS_DIR}.{handler_file.parent.name}.handler"
            problems.append(
                f"{handler_file.relative_to(root).as_posix()} is not deployed: no function in "
                f"the template has Handler {module}.<function> (see infra/README.md, "
                "'Adding a function')"
            )
    return problems


def functions_by_code(template: dict[str, Any]) -> dict[str | None, list[FunctionHandler]]:
    """Code location -> the functions that run it."""
    grouped: dict[str | None, list[FunctionHandler]] = {}
    for function in function_handlers(template):
        grouped.setdefault(function.code_uri, []).append(function)
    return grouped


def cross_check(
    template: dict[str, Any],
    package_dir: Path,
    artefacts: dict[str, tuple[str, str, Path]],
) -> list[str]:
    """The merged template must deploy exactly what was proven.

    ``artefacts`` maps a CodeUri to (runtime, architecture, unpacked dir) of the proven build.
    """
    problems: list[str] = []
    for code_uri, functions in functions_by_code(template).items():
        if code_uri is None or code_uri not in artefacts:
            problems.append(
                f"{code_uri} (used by {functions[0].logical_id}) was not built and proven"
            )
            continue
        if not (package_dir / code_uri).is_file():
            problems.append(f"{code_uri} missing from {package_dir}")
        runtime, architecture, unpacked = artefacts[code_uri]
        for function in functions:
            logical_id, properties = function.logical_id, function.properties
            if properties.get("Runtime") != runtime:
                problems.append(f"{logical_id}: Runtime {properties.get('Runtime')} != {runtime}")
            if properties.get("Architectures", ["x86_64"]) != [architecture]:
                problems.append(f"{logical_id}: Architectures != [{architecture}]")
            if _module_file(unpacked, function.module) is None:
                problems.append(f"{logical_id}: handler module {function.module} not in {code_uri}")
    role = json.dumps(template["Resources"].get("ApiHandlerRole", {}))
    if PLACEHOLDER_SID in role:
        problems.append("ApiHandlerRole still has the .chalice placeholder policy (merge failed)")
    return problems
