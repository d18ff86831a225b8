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
    UnicodeSetAttribute,
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
    recreates = UnicodeAttribute(null=True)
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
    hidden = BooleanAttribute(null=True)  # a card photo: never shown to customers


# Galleries ---------------------------------------------------------------------------------
class BuildSummaryMap(MapAttribute[str, object]):
    subjects = NumberAttribute()
    galleries = NumberAttribute()  # subjects with at least one photo
    flags = NumberAttribute()
    cards = NumberAttribute()
    unassigned = NumberAttribute()
    group_photos = NumberAttribute()


class GalleryBuildItem(TableItem, discriminator="gallery_build"):
    """The one build record of a job: the current run, and the run whose results are shown."""

    job_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    run_id = UnicodeAttribute()
    state = UnicodeAttribute()
    phase = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    requested_by = UnicodeAttribute()
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    photos_processed = NumberAttribute(default=0)
    photos_total = NumberAttribute(null=True)
    subjects_written = NumberAttribute(default=0)
    subjects_total = NumberAttribute(null=True)
    summary = BuildSummaryMap(null=True)
    error = UnicodeAttribute(null=True)
    rerun = BooleanAttribute(default=False)
    published_run_id = UnicodeAttribute(null=True)
    published_at = UTCDateTimeAttribute(null=True)
    discarded_run_ids = UnicodeSetAttribute(null=True)  # results still to delete


class GalleryItem(TableItem, discriminator="gallery"):
    subject_id = UnicodeAttribute()
    name = UnicodeAttribute()
    class_name = UnicodeAttribute()
    photo_ids = ListAttribute(of=UnicodeAttribute, default=list)  # own photos, then group
    own_photos = NumberAttribute()
    position = NumberAttribute()  # in the name list's order


class GroupPhotosItem(TableItem, discriminator="gallery_group"):
    class_name = UnicodeAttribute()
    photo_ids = ListAttribute(of=UnicodeAttribute, default=list)


class ReviewFlagItem(TableItem, discriminator="review_flag"):
    ordinal = NumberAttribute()
    flag_key = UnicodeAttribute()
    flag_kind = UnicodeAttribute()
    album = UnicodeAttribute()
    message = UnicodeAttribute()
    photo_ids = ListAttribute(of=UnicodeAttribute, default=list)
    held_photo_ids = ListAttribute(of=UnicodeAttribute, default=list)  # the first ones only
    held_count = NumberAttribute(default=0)
    subject_ids = ListAttribute(of=UnicodeAttribute, default=list)


class PhotoDecisionItem(TableItem, discriminator="photo_decision"):
    """Every review decision about one photo. ``role`` is how it takes part in sorting (group,
    card, first, excluded; one at a time); ``assigned`` and ``album`` move it independently."""

    photo_id = UnicodeAttribute()
    role = UnicodeAttribute(null=True)
    role_subjects = ListAttribute(of=UnicodeAttribute, null=True)
    group_class = UnicodeAttribute(null=True)
    assigned = ListAttribute(of=UnicodeAttribute, null=True)  # [] is "in no gallery"
    album = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute()
    decided_at = UTCDateTimeAttribute()


class FlagDecisionItem(TableItem, discriminator="flag_decision"):
    flag_key = UnicodeAttribute()
    decided_by = UnicodeAttribute()
    decided_at = UTCDateTimeAttribute()


# Subjects and access codes -----------------------------------------------------------------
class SubjectItem(TableItem, discriminator="subject"):
    job_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    class_name = UnicodeAttribute()
    external_id = UnicodeAttribute(null=True)
    emails = ListAttribute(of=UnicodeAttribute, default=list)
    phones = ListAttribute(of=UnicodeAttribute, default=list)
    access_code = UnicodeAttribute()  # canonical key of the claim
    tag = UnicodeAttribute()  # what the card face's QR symbol holds
    spare = BooleanAttribute()
    import_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class AccessCodeItem(TableItem, discriminator="access_code"):
    """The claim of one code (pk=CODE#<code>): written once, retired, never deleted once used."""

    code = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)  # None: a shared job's one code
    state = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()
    retired_at = UTCDateTimeAttribute(null=True)
    import_id = UnicodeAttribute(null=True)


class SharedCodeItem(TableItem, discriminator="shared_code"):
    """The one code of a job with access type ``shared``."""

    code = UnicodeAttribute()
    import_id = UnicodeAttribute(null=True)


class SubjectImportItem(TableItem, discriminator="subject_import"):
    """An import being written; left behind only by a crash, and then undone by the next one."""

    import_id = UnicodeAttribute()
    started_at = UTCDateTimeAttribute()


# Price profiles and vouchers ----------------------------------------------------------------
class PackageItemMap(MapAttribute[str, object]):
    product_id = UnicodeAttribute()
    quantity = NumberAttribute()


class ProductMap(MapAttribute[str, object]):
    product_id = UnicodeAttribute()
    product_kind = UnicodeAttribute()  # print | download | package ("kind" is the discriminator)
    name = UnicodeAttribute()
    price_minor = NumberAttribute()
    size = UnicodeAttribute(null=True)
    items = ListAttribute(of=PackageItemMap, default=list)
    lab_code = UnicodeAttribute(null=True)


class PriceProfileItem(TableItem, discriminator="price_profile"):
    profile_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    name = UnicodeAttribute()
    currency = UnicodeAttribute()
    products = ListAttribute(of=ProductMap, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class VoucherItem(TableItem, discriminator="voucher"):
    code = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    scope = UnicodeAttribute()
    job_id = UnicodeAttribute(null=True)
    percent = NumberAttribute(null=True)
    amount_minor = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    min_order_minor = NumberAttribute()
    valid_until = UnicodeAttribute(null=True)  # ISO date, inclusive, the job's local calendar
    once_per_access_code = BooleanAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class VoucherCodeClaimItem(TableItem, discriminator="voucher_code"):
    """Keeps a voucher code unique in its studio; says where the voucher is."""

    scope = UnicodeAttribute()
    job_id = UnicodeAttribute(null=True)


class VoucherRedemptionItem(TableItem, discriminator="voucher_redemption"):
    """An access code has used a once-per-code voucher (written with attribute_not_exists)."""

    studio_id = UnicodeAttribute()
    code = UnicodeAttribute()
    access_code = UnicodeAttribute()
    job_id = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    redeemed_at = UTCDateTimeAttribute()


# Communication: profiles, messages, opt-outs, newsletters -----------------------------------
class StepMap(MapAttribute[str, object]):
    step_id = UnicodeAttribute()
    trigger = UnicodeAttribute()
    offset = UnicodeAttribute()  # ISO 8601 duration, signed: -P3D
    channel = UnicodeAttribute()
    audience = UnicodeAttribute()
    template_id = UnicodeAttribute()


class CommunicationProfileItem(TableItem, discriminator="communication_profile"):
    profile_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    name = UnicodeAttribute()
    steps = ListAttribute(of=StepMap, default=list)
    locale = UnicodeAttribute()
    quiet_start = UnicodeAttribute(null=True)  # HH:MM; both None: no quiet hours
    quiet_end = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class MessageItem(TableItem, discriminator="message"):
    """One message to one recipient: claimed (``sending``) before it is sent, then ``sent`` or
    ``failed`` with the reason; a retryable failure may be claimed again while attempts last."""

    job_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    step_id = UnicodeAttribute()
    message_key = UnicodeAttribute()
    recipient_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    address = UnicodeAttribute()
    state = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    retryable = BooleanAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)
    claimed_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)


class StepRunsItem(TableItem, discriminator="message_step"):
    """What the runs of one step (or newsletter) of a job did, counted across runs."""

    job_id = UnicodeAttribute()
    step_id = UnicodeAttribute()
    runs = NumberAttribute(default=0)
    sent = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    already_handled = NumberAttribute(default=0)  # claimed by an earlier run: not sent again
    skipped = MapAttribute[str, object](null=True)  # skip reason -> count, of the last run
    last_run_at = UTCDateTimeAttribute(null=True)
    last_outcome = UnicodeAttribute(null=True)  # sent | stale:<reason> | job_gone | ...


class OptOutItem(TableItem, discriminator="opt_out"):
    studio_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    address = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    source = UnicodeAttribute()  # unsubscribe_link | sms_stop | admin
    opted_out_at = UTCDateTimeAttribute()


class NewsletterItem(TableItem, discriminator="newsletter"):
    newsletter_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    channel = UnicodeAttribute()
    audience = UnicodeAttribute()
    state = UnicodeAttribute()  # draft | sending
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)


# The shop: customers, orders and failed-login counters --------------------------------------
class CustomerItem(TableItem, discriminator="customer"):
    """A registered customer of a job (seed 000), one per e-mail address, linked to the
    subjects whose codes the registering session held."""

    customer_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    email = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    marketing_consent = BooleanAttribute()
    subject_ids = UnicodeSetAttribute(null=True)
    shared_code = BooleanAttribute(null=True)  # registered with a shared job's code
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class RegisteredItem(TableItem, discriminator="registered"):
    """Marks a session entry (a subject, or ``*`` for a shared code) of a job as registered."""

    email = UnicodeAttribute()
    registered_at = UTCDateTimeAttribute()


class ContactMap(MapAttribute[str, object]):
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)


class OrderLineMap(MapAttribute[str, object]):
    photo_id = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)
    product_id = UnicodeAttribute()
    quantity = NumberAttribute()
    unit_price_minor = NumberAttribute()
    total_minor = NumberAttribute()


class ComponentMap(MapAttribute[str, object]):
    product_id = UnicodeAttribute()
    product_kind = UnicodeAttribute()
    name = UnicodeAttribute()
    size = UnicodeAttribute(null=True)
    lab_code = UnicodeAttribute(null=True)
    quantity = NumberAttribute()


class OrderedProductMap(MapAttribute[str, object]):
    product_id = UnicodeAttribute()
    product_kind = UnicodeAttribute()
    name = UnicodeAttribute()
    size = UnicodeAttribute(null=True)
    lab_code = UnicodeAttribute(null=True)
    components = ListAttribute(of=ComponentMap, default=list)


class AppliedVoucherMap(MapAttribute[str, object]):
    code = UnicodeAttribute()
    scope = UnicodeAttribute()
    percent = NumberAttribute(null=True)
    amount_minor = NumberAttribute(null=True)
    once_per_access_code = BooleanAttribute()


class PaymentMap(MapAttribute[str, object]):
    method = UnicodeAttribute()
    provider_ref = UnicodeAttribute(null=True)
    checkout_url = UnicodeAttribute(null=True)
    paid_at = UTCDateTimeAttribute(null=True)
    paid_minor = NumberAttribute(null=True)
    recorded_by = UnicodeAttribute(null=True)
    attempt = NumberAttribute(null=True)  # absent on orders stored before "pay again": 1


class OrderStatusMap(MapAttribute[str, object]):
    status = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()


class OrderItem(TableItem, discriminator="order"):
    """An order with its lines inside: read and written whole, at most 200 lines (~60 KB)."""

    order_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    job_name = UnicodeAttribute()
    internal_job_name = UnicodeAttribute()
    session_id = UnicodeAttribute()
    subject_ids = ListAttribute(of=UnicodeAttribute, default=list)
    contact = ContactMap()
    lines = ListAttribute(of=OrderLineMap, default=list)
    products = ListAttribute(of=OrderedProductMap, default=list)
    currency = UnicodeAttribute()
    subtotal_minor = NumberAttribute()
    discount_minor = NumberAttribute()
    total_minor = NumberAttribute()
    status = UnicodeAttribute()
    payment = PaymentMap()
    voucher = AppliedVoucherMap(null=True)
    redeemed_codes = ListAttribute(of=UnicodeAttribute, default=list)
    history = ListAttribute(of=OrderStatusMap, default=list)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class LoginAttemptsItem(TableItem, discriminator="login_attempts"):
    """Failed shop logins of one address or job in one window (``expires_at``: TTL)."""

    attempts = NumberAttribute(default=0)


class CartLineMap(MapAttribute[str, object]):
    photo_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    quantity = NumberAttribute()


class CartItem(TableItem, discriminator="cart"):
    """The cart of a customer (or of an anonymous session) for one job (``expires_at``: TTL)."""

    cart_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    studio_id = UnicodeAttribute()
    owner_kind = UnicodeAttribute()  # customer | session
    owner_id = UnicodeAttribute()
    lines = ListAttribute(of=CartLineMap, default=list)
    updated_at = UTCDateTimeAttribute()
