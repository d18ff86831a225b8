"""PynamoDB models of the single table. Item classes are storage shapes only; repositories
convert them to and from domain objects. Keys come from :mod:`.keys`."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class _Gsi1(GlobalSecondaryIndex["TableItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _Gsi2(GlobalSecondaryIndex["TableItem"]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class _Gsi3(GlobalSecondaryIndex["TableItem"]):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class TableItem(Model):
    """Base of every item. ``Meta.table_name`` is bound from settings by ``bind_table``."""

    class Meta:
        table_name = "photojobs-unbound"
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    gsi1 = _Gsi1()
    gsi2 = _Gsi2()
    gsi3 = _Gsi3()


def bind_table(table_name: str) -> None:
    TableItem.Meta.table_name = table_name


class StudioItem(TableItem, discriminator="studio"):
    studio_id = UnicodeAttribute()
    name = UnicodeAttribute()
    timezone = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class WatermarkMap(MapAttribute[str, object]):
    text = UnicodeAttribute(null=True)
    image_key = UnicodeAttribute(null=True)
    opacity = NumberAttribute()


class StatusChangeMap(MapAttribute[str, object]):
    from_status = UnicodeAttribute()
    to_status = UnicodeAttribute()
    changed_by = UnicodeAttribute()
    changed_at = UTCDateTimeAttribute()
    forced = BooleanAttribute()


class JobItem(TableItem, discriminator="job"):
    job_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    name = UnicodeAttribute()
    shooting_date = UnicodeAttribute()
    job_type = UnicodeAttribute()
    internal_name = UnicodeAttribute()
    timezone = UnicodeAttribute()
    people_expected = NumberAttribute()
    contractee_id = UnicodeAttribute(null=True)
    access_type = UnicodeAttribute()
    registration = UnicodeAttribute()
    price_profile_id = UnicodeAttribute(null=True)
    communication_profile_id = UnicodeAttribute(null=True)
    watermark = WatermarkMap(null=True)
    archive_date = UnicodeAttribute(null=True)
    voucher_deadline = UnicodeAttribute(null=True)
    prepay = BooleanAttribute()
    prepay_deadline = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    status_history = ListAttribute(of=StatusChangeMap, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class InternalNameClaimItem(TableItem, discriminator="internal_name"):
    """Makes a job's internal name unique per studio (claimed in the same transaction)."""

    job_id = UnicodeAttribute()


class ContracteeItem(TableItem, discriminator="contractee"):
    contractee_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    name = UnicodeAttribute()
    address = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    contact_person = UnicodeAttribute(null=True)
    commission_rate = NumberAttribute(null=True)
    sales_access = BooleanAttribute()
    created_at = UTCDateTimeAttribute()


class CodeMap(MapAttribute[str, object]):
    value = UnicodeAttribute()
    symbology = UnicodeAttribute()
    ours = BooleanAttribute()
    box = ListAttribute(of=NumberAttribute)


class PhotoItem(TableItem, discriminator="photo"):
    job_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    photo_id = UnicodeAttribute()
    album = UnicodeAttribute()
    original_name = UnicodeAttribute()
    original_key = UnicodeAttribute()
    size = NumberAttribute()
    content_type = UnicodeAttribute()
    state = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    etag = UnicodeAttribute(null=True)
    capture_time = UnicodeAttribute(null=True)
    camera_make = UnicodeAttribute(null=True)
    camera_model = UnicodeAttribute(null=True)
    camera_serial = UnicodeAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    codes = ListAttribute(of=CodeMap, default=list)
    undecodable_candidates = NumberAttribute(default=0)
    preview_key = UnicodeAttribute(null=True)
    thumbnail_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    processed_at = UTCDateTimeAttribute(null=True)
    claimed_at = UTCDateTimeAttribute(null=True)
