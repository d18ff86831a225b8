"""Runs the AWS SAM translator offline, as CloudFormation's AWS::Serverless transform would.

Run as ``python -S samtranslate.py <tools-dir> <in.json> <out.json>``; ``-S`` keeps the project
virtualenv (and its pydantic version) out of the translator's way.
"""

from __future__ import annotations

import json
import sys


class _NoManagedPolicies:
    """Our template names no AWS managed policies, so IAM is never asked for their ARNs."""

    def load(self) -> dict[str, str]:
        return {}


def main() -> None:
    tools, source, target = sys.argv[1:]
    sys.path.insert(0, tools)
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    template = json.loads(open(source).read())
    # `aws cloudformation package` replaces local CodeUri paths with S3 locations; so do we.
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function" and isinstance(
            properties.get("CodeUri"), str
        ):
            properties["CodeUri"] = (
                f"s3://deployment-bucket/{properties['CodeUri'].removeprefix('./')}"
            )
    parameters = {"SenderEmail": "noreply@example.com"}
    try:
        translated = transform(template, parameters, _NoManagedPolicies())
    except InvalidDocumentException as error:
        for cause in error.causes:
            print(f"SAM: {cause.message}", file=sys.stderr)
        raise SystemExit(1) from error
    with open(target, "w") as out:
        json.dump(translated, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
