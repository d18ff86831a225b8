"""Studios (tenants) and their contractees in DynamoDB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.jobs_repository import contractee_item
from chalicelib.adapters.dynamo.models import ContracteeItem, StudioItem
from chalicelib.adapters.dynamo.pages import Page, query_page
from chalicelib.domain.contractees import Contractee
from chalicelib.errors import NotFound


@dataclass(frozen=True)
class Studio:
    studio_id: str
    name: str
    timezone: str
    created_at: datetime


class StudioRepository:
    def get(self, studio_id: str) -> Studio:
        try:
            item = StudioItem.get(keys.studio_pk(studio_id), keys.STUDIO_SK)
        except DoesNotExist as exc:
            raise NotFound(f"studio {studio_id} not found") from exc
        return Studio(item.studio_id, item.name, item.timezone, item.created_at)

    def put(self, studio: Studio) -> None:
        StudioItem(
            pk=keys.studio_pk(studio.studio_id),
            sk=keys.STUDIO_SK,
            studio_id=studio.studio_id,
            name=studio.name,
            timezone=studio.timezone,
            created_at=studio.created_at,
        ).save()


def _contractee(item: ContracteeItem) -> Contractee:
    return Contractee(
        contractee_id=item.contractee_id,
        studio_id=item.studio_id,
        name=item.name,
        created_at=item.created_at,
        address=item.address,
        email=item.email,
        phone=item.phone,
        contact_person=item.contact_person,
        commission_rate=float(item.commission_rate) if item.commission_rate is not None else None,
        sales_access=item.sales_access,
    )


class ContracteeRepository:
    def get(self, studio_id: str, contractee_id: str) -> Contractee:
        try:
            item = ContracteeItem.get(keys.studio_pk(studio_id), keys.contractee_sk(contractee_id))
        except DoesNotExist as exc:
            raise NotFound(f"contractee {contractee_id} not found", field="contractee_id") from exc
        return _contractee(item)

    def save(self, contractee: Contractee) -> Contractee:
        contractee_item(contractee).save()
        return contractee

    def list(
        self, studio_id: str, *, limit: int = 50, cursor: str | None = None
    ) -> Page[Contractee]:
        page = query_page(
            keys.studio_pk(studio_id),
            keys.CONTRACTEE_PREFIX,
            ContracteeItem,
            limit=limit,
            cursor=cursor,
        )
        return page.map(_contractee)
