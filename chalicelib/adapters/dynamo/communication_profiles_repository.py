"""Communication profiles in DynamoDB (key scheme: :mod:`.keys`): one item per profile in its
studio's partition; ``version`` guards against two editors overwriting each other."""

from __future__ import annotations

from datetime import time

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamo import keys
from chalicelib.adapters.dynamo.conditions import delete_versioned, save_versioned
from chalicelib.adapters.dynamo.models import CommunicationProfileItem, StepMap
from chalicelib.adapters.dynamo.pages import Page, query_page
from chalicelib.domain.communication import (
    Audience,
    Channel,
    CommunicationProfile,
    QuietHours,
    Step,
    Trigger,
    format_offset,
    parse_offset,
)
from chalicelib.domain.communication.library import StudioProfile
from chalicelib.errors import NotFound

_MIDNIGHT = time(0)


def _step(item: StepMap) -> Step:
    return Step(
        step_id=item.step_id,
        trigger=Trigger(item.trigger),
        offset=parse_offset(item.offset),
        channel=Channel(item.channel),
        audience=Audience(item.audience),
        template_id=item.template_id,
    )


def profile_from_item(item: CommunicationProfileItem) -> StudioProfile:
    quiet = QuietHours(
        time.fromisoformat(item.quiet_start) if item.quiet_start else _MIDNIGHT,
        time.fromisoformat(item.quiet_end) if item.quiet_end else _MIDNIGHT,
    )
    profile = CommunicationProfile(
        profile_id=item.profile_id,
        studio_id=item.studio_id,
        name=item.name,
        steps=tuple(_step(s) for s in item.steps),
    )
    return StudioProfile(
        profile,
        locale=item.locale,
        quiet_hours=quiet,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


def item_from_profile(stored: StudioProfile) -> CommunicationProfileItem:
    profile = stored.profile
    quiet = stored.quiet_hours
    item = CommunicationProfileItem(
        pk=keys.studio_pk(profile.studio_id),
        sk=keys.communication_profile_sk(profile.profile_id),
        profile_id=profile.profile_id,
        studio_id=profile.studio_id,
        name=profile.name,
        steps=[
            StepMap(
                step_id=s.step_id,
                trigger=s.trigger.value,
                offset=format_offset(s.offset),
                channel=s.channel.value,
                audience=s.audience.value,
                template_id=s.template_id,
            )
            for s in profile.steps
        ],
        locale=stored.locale,
        quiet_start=quiet.start.strftime("%H:%M") if quiet.enabled else None,
        quiet_end=quiet.end.strftime("%H:%M") if quiet.enabled else None,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )
    if stored.version:
        item.version = stored.version
    return item


class CommunicationProfileRepository:
    """A studio's own profiles. Another studio's profile is simply not found."""

    def get(self, studio_id: str, profile_id: str) -> StudioProfile:
        try:
            item = CommunicationProfileItem.get(
                keys.studio_pk(studio_id),
                keys.communication_profile_sk(profile_id),
                consistent_read=True,
            )
        except DoesNotExist as exc:
            raise NotFound(
                f"communication profile {profile_id} not found", profile_id=profile_id
            ) from exc
        return profile_from_item(item)

    def save(self, stored: StudioProfile) -> StudioProfile:
        """Create (version 0) or replace a profile nobody else changed since it was read."""
        item = item_from_profile(stored)
        save_versioned(item, f"communication profile {stored.profile_id}")
        return profile_from_item(item)

    def delete(self, stored: StudioProfile) -> None:
        delete_versioned(item_from_profile(stored), f"communication profile {stored.profile_id}")

    def list(
        self, studio_id: str, *, limit: int = 50, cursor: str | None = None
    ) -> Page[StudioProfile]:
        page = query_page(
            keys.studio_pk(studio_id),
            keys.COMM_PROFILE_PREFIX,
            CommunicationProfileItem,
            limit=limit,
            cursor=cursor,
        )
        return page.map(profile_from_item)
