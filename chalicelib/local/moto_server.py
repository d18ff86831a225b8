"""moto's server, with one fix for local speed: ``TransactWriteItems`` backs each table up once.

moto 5 deep-copies the whole table once per *item* of a transaction (for its rollback), so a
100-item transaction on a table of a few thousand items takes seconds and a names-list import
of a thousand rows minutes. Copying each table once per transaction restores exactly the same
state on rollback. Run as ``python -m chalicelib.local.moto_server -H HOST -p PORT``.
"""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

_backups = threading.local()  # moto serves requests in threads


class _CopyingTablesOnce(types.ModuleType):
    """Stands in for ``copy`` inside ``moto.dynamodb.models``."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        taken = getattr(_backups, "tables", None)
        if taken is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in taken:  # tables live in the backend: their ids are stable here
            taken[id(value)] = copy.deepcopy(value, memo)
        return taken[id(value)]


def patch_moto() -> None:
    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _backups.tables = {}
        try:
            original(self, transact_items)
        finally:
            _backups.tables = None

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    models.copy = _CopyingTablesOnce("copy")


def main() -> None:
    from moto import server

    patch_moto()
    server.main()


if __name__ == "__main__":
    main()
