"""The local stand-in for Lambda's Invoke API answers the way Lambda does, so the API's
``FunctionInvoker`` behaves the same locally and in the cloud."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.functions import FunctionFailed, FunctionInvoker
from chalicelib.local.endpoint import free_port
from chalicelib.local.lambda_endpoint import LocalLambdaEndpoint, function_name

pytestmark = pytest.mark.integration


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"got": event, "function": context.function_name}


def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("the renderer broke")


@pytest.fixture()
def invoker(aws_endpoint: Any) -> Any:
    functions = {"photojobs-echo": echo, "photojobs-broken": broken}
    endpoint = LocalLambdaEndpoint("127.0.0.1", free_port(), functions.get)
    endpoint.start()
    import boto3

    client = boto3.session.Session().client("lambda", endpoint_url=endpoint.url)
    yield FunctionInvoker(client)
    endpoint.stop()


def test_a_function_returns_its_result(invoker):
    assert invoker.call("photojobs-echo", {"n": 1}) == {
        "got": {"n": 1},
        "function": "photojobs-echo",
    }
    arn = "arn:aws:lambda:us-east-1:123456789012:function:photojobs-echo"
    assert invoker.call(arn, {})["function"] == "photojobs-echo"


def test_a_raising_function_is_a_function_error(invoker):
    with pytest.raises(FunctionFailed, match="the renderer broke"):
        invoker.call("photojobs-broken", {})


def test_an_unknown_function_is_resource_not_found(invoker):
    with pytest.raises(ClientError) as missing:
        invoker.call("photojobs-nothing", {})
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_function_names_from_arns_and_qualifiers():
    assert function_name("photojobs-x") == "photojobs-x"
    assert function_name("photojobs-x%3Aprod") == "photojobs-x"
    assert function_name("arn%3Aaws%3Alambda%3Aeu-west-1%3A1%3Afunction%3Aphotojobs-x%3A7") == (
        "photojobs-x"
    )
