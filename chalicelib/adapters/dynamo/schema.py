"""The table definition as boto3 ``create_table`` arguments, derived from the PynamoDB models,
so that local bootstrap, tests and the infra template agree on one definition."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamo.models import TableItem

TTL_ATTRIBUTE = "expires_at"


def table_definition() -> dict[str, Any]:
    schema: Any = TableItem._get_schema()
    indexes = []
    for index in schema["global_secondary_indexes"]:
        indexes.append(
            {
                "IndexName": index["index_name"],
                "KeySchema": index["key_schema"],
                "Projection": index["projection"],
            }
        )
    attributes = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
    return {
        "KeySchema": schema["key_schema"],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind}
            for name, kind in sorted(attributes.items())
        ],
        "GlobalSecondaryIndexes": sorted(indexes, key=lambda i: i["IndexName"]),
        "BillingMode": "PAY_PER_REQUEST",
    }
