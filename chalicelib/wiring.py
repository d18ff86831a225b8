"""The composition root: settings, verifier, repositories and services, built once per process
for the API and the functions, and replaceable in tests through :func:`override`.
Heavy imports (PynamoDB, boto3) happen here, lazily."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from chalicelib.config import get_settings

if TYPE_CHECKING:
    from chalicelib.adapters.dynamo.access_codes_repository import AccessCodeRepository
    from chalicelib.adapters.dynamo.customers_repository import CustomerRepository
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository
    from chalicelib.adapters.dynamo.photos_repository import PhotoRepository
    from chalicelib.adapters.dynamo.pricing_repository import (
        PriceProfileRepository,
        VoucherRepository,
    )
    from chalicelib.adapters.dynamo.shop_reads import ShopReads
    from chalicelib.adapters.dynamo.studios_repository import StudioRepository
    from chalicelib.adapters.dynamo.subjects_repository import SubjectRepository
    from chalicelib.adapters.identity import CognitoIdentity
    from chalicelib.adapters.messages_function import MessagesFunction
    from chalicelib.adapters.payments.stripe_checkout import StripeCheckout
    from chalicelib.adapters.queue import WorkQueue
    from chalicelib.adapters.scheduler import MessageScheduler
    from chalicelib.adapters.session_tokens import SessionTokens
    from chalicelib.adapters.storage import MediaStorage
    from chalicelib.adapters.tokens import TokenVerifier
    from chalicelib.domain.carts import Cart
    from chalicelib.domain.customers import Customer
    from chalicelib.domain.jobs import Job
    from chalicelib.domain.orders import Order
    from chalicelib.domain.payments import PaymentProvider
    from chalicelib.domain.shop_sessions import ShopSession
    from chalicelib.services.carts import CartService
    from chalicelib.services.communication_profiles import CommunicationProfiles
    from chalicelib.services.document_rendering import DocumentRenderer
    from chalicelib.services.documents import DocumentService
    from chalicelib.services.galleries import GalleryBuilds
    from chalicelib.services.ingest import IngestService
    from chalicelib.services.job_messages import JobMessages
    from chalicelib.services.jobs import JobService
    from chalicelib.services.message_audience import JobAudience
    from chalicelib.services.message_scheduling import MessageScheduling
    from chalicelib.services.messages import MessageComposer, MessageSender
    from chalicelib.services.order_downloads import DownloadLinks
    from chalicelib.services.orders import OrderService
    from chalicelib.services.payment_notifications import PaymentNotifications
    from chalicelib.services.pricing import PricingService
    from chalicelib.services.review import ReviewService
    from chalicelib.services.shop import ShopService
    from chalicelib.services.subjects import SubjectService
    from chalicelib.services.unsubscribe_links import UnsubscribeLinks, Unsubscribes
    from chalicelib.services.uploads import UploadService

T = TypeVar("T")

_overrides: dict[str, Any] = {}
_built: list[Callable[[], None]] = []  # cache_clear of every wired object, for reset()


def override(name: str, value: Any) -> None:
    """Replace a wired object (tests only): ``name`` is its factory's name."""
    _overrides[name] = value


def reset() -> None:
    _overrides.clear()
    for cache_clear in _built:
        cache_clear()


def _wired(factory: Callable[[], T]) -> Callable[[], T]:
    """Build once per process (unless :func:`override` replaced it); :func:`reset` forgets it."""

    @cache
    @wraps(factory)
    def build() -> T:
        if factory.__name__ in _overrides:
            return cast(T, _overrides[factory.__name__])
        return factory()

    _built.append(build.cache_clear)
    return build


@_wired
def token_verifier() -> TokenVerifier:
    from chalicelib.adapters.tokens import TokenVerifier

    settings = get_settings()
    return TokenVerifier(
        jwks_url=settings.jwks_url,
        issuer=settings.jwt_issuer,
        audience=settings.user_pool_client_id,
    )


@_wired
def _bound_table() -> str:
    from chalicelib.adapters.dynamo.models import bind_table

    name = get_settings().table_name
    bind_table(name)
    return name


@_wired
def studios() -> StudioRepository:
    from chalicelib.adapters.dynamo.studios_repository import StudioRepository

    _bound_table()
    return StudioRepository()


@_wired
def jobs() -> JobRepository:
    from chalicelib.adapters.dynamo.jobs_repository import JobRepository

    _bound_table()
    return JobRepository()


@_wired
def price_profiles() -> PriceProfileRepository:
    from chalicelib.adapters.dynamo.pricing_repository import PriceProfileRepository

    _bound_table()
    return PriceProfileRepository()


@_wired
def vouchers() -> VoucherRepository:
    from chalicelib.adapters.dynamo.pricing_repository import VoucherRepository

    _bound_table()
    return VoucherRepository()


@_wired
def shop_reads() -> ShopReads:
    """The shop's batched reads of a session's jobs, subjects and galleries."""
    from chalicelib.adapters.dynamo.shop_reads import ShopReads

    _bound_table()
    return ShopReads()


@_wired
def job_service() -> JobService:
    from chalicelib.adapters.dynamo.messages_repository import (
        MessageRepository,
        NewsletterRepository,
    )
    from chalicelib.adapters.dynamo.studios_repository import ContracteeRepository
    from chalicelib.services.jobs import JobService
    from chalicelib.services.subjects import SubjectCleanup
    from chalicelib.services.uploads import PhotoCleanup

    _bound_table()
    cleanup = PhotoCleanup(photos(), storage())
    galleries = gallery_builds().delete_job_galleries
    # Retire the job's access codes first: they are what must never work again.
    codes = SubjectCleanup(subjects(), access_codes(), storage())
    # Message schedules follow the job's dates, status and profile (issue 6).
    schedules = message_scheduling()
    messages, newsletters = MessageRepository(), NewsletterRepository()

    def delete_messages(job: Job) -> None:
        messages.delete_job(job.job_id)
        newsletters.delete_job(job.job_id)

    return JobService(
        jobs(),
        ContracteeRepository(),
        studios(),
        deletion_steps=[
            codes,
            galleries,
            cleanup,
            vouchers().delete_job_vouchers,
            schedules.job_deleted,
            delete_messages,
        ],
        price_profiles=price_profiles(),
        communication_profiles=communication_profiles(),
        observers=[schedules],
    )


@_wired
def photos() -> PhotoRepository:
    from chalicelib.adapters.dynamo.photos_repository import PhotoRepository

    _bound_table()
    return PhotoRepository()


@_wired
def storage() -> MediaStorage:
    from chalicelib.adapters.storage import MediaStorage

    return MediaStorage(get_settings().bucket_name)


@_wired
def upload_service() -> UploadService:
    from chalicelib.services.uploads import UploadService

    _bound_table()
    return UploadService(
        jobs(), photos(), storage(), max_upload_bytes=get_settings().max_upload_bytes
    )


@_wired
def identity() -> CognitoIdentity:
    from chalicelib.adapters.identity import CognitoIdentity

    settings = get_settings()
    return CognitoIdentity(client_id=settings.user_pool_client_id)


@_wired
def ingest_service() -> IngestService:
    from chalicelib.services.ingest import IngestService

    _bound_table()
    return IngestService(
        jobs(), photos(), storage(), max_upload_bytes=get_settings().max_upload_bytes
    )


@_wired
def work_queue() -> WorkQueue:
    from chalicelib.adapters.queue import WorkQueue

    return WorkQueue(get_settings().work_queue_url)


@_wired
def gallery_builds() -> GalleryBuilds:
    from chalicelib.adapters.dynamo.gallery_builds_repository import GalleryBuildRepository
    from chalicelib.adapters.dynamo.gallery_results_repository import GalleryResultRepository
    from chalicelib.adapters.dynamo.review_repository import ReviewDecisionRepository
    from chalicelib.services.galleries import GalleryBuilds, NameListSubjects

    _bound_table()
    return GalleryBuilds(
        jobs(),
        photos(),
        NameListSubjects(subjects()),
        ReviewDecisionRepository(),
        GalleryBuildRepository(),
        GalleryResultRepository(),
        work_queue(),
    )


@_wired
def review_service() -> ReviewService:
    from chalicelib.adapters.dynamo.gallery_builds_repository import GalleryBuildRepository
    from chalicelib.adapters.dynamo.gallery_results_repository import GalleryResultRepository
    from chalicelib.adapters.dynamo.review_repository import ReviewDecisionRepository
    from chalicelib.services.galleries import NameListSubjects
    from chalicelib.services.review import ReviewService

    _bound_table()
    return ReviewService(
        jobs(),
        photos(),
        NameListSubjects(subjects()),
        ReviewDecisionRepository(),
        GalleryBuildRepository(),
        GalleryResultRepository(),
        storage(),
        gallery_builds(),
    )


@_wired
def subjects() -> SubjectRepository:
    from chalicelib.adapters.dynamo.subjects_repository import SubjectRepository

    _bound_table()
    return SubjectRepository()


@_wired
def access_codes() -> AccessCodeRepository:
    """Code -> studio, job, subject: the shop's login lookup (one GetItem)."""
    from chalicelib.adapters.dynamo.access_codes_repository import AccessCodeRepository

    _bound_table()
    return AccessCodeRepository()


@_wired
def subject_service() -> SubjectService:
    from chalicelib.services.subjects import SubjectService

    _bound_table()
    return SubjectService(jobs(), subjects(), access_codes())


@_wired
def document_service() -> DocumentService:
    from chalicelib.adapters.functions import FunctionInvoker
    from chalicelib.services.documents import DocumentService

    _bound_table()
    return DocumentService(
        jobs(),
        subjects(),
        storage(),
        FunctionInvoker(),
        function_name=get_settings().documents_function,
    )


@_wired
def document_renderer() -> DocumentRenderer:
    """The PDF side (functions/render_documents): the only wiring that imports reportlab."""
    from chalicelib.services.document_rendering import DocumentRenderer

    _bound_table()
    return DocumentRenderer(
        jobs(),
        subjects(),
        storage(),
        shop_url=get_settings().shop_url,
        first_photos=review_service().first_photo_thumbnails,
    )


@_wired
def pricing_service() -> PricingService:
    from chalicelib.services.pricing import PricingService

    _bound_table()
    return PricingService(jobs(), price_profiles(), vouchers())


@_wired
def communication_profiles() -> CommunicationProfiles:
    from chalicelib.adapters.dynamo.communication_profiles_repository import (
        CommunicationProfileRepository,
    )
    from chalicelib.services.communication_profiles import CommunicationProfiles

    _bound_table()
    return CommunicationProfiles(
        CommunicationProfileRepository(),
        jobs(),
        on_change=lambda job: message_scheduling().replan_job(job),
    )


# Messages (issue 6): EventBridge Scheduler -> functions/send_messages -> SES / SNS ----------
@_wired
def message_scheduler() -> MessageScheduler:
    from chalicelib.adapters.scheduler import MessageScheduler

    settings = get_settings()
    return MessageScheduler(
        group=settings.required("schedule_group"),
        target_arn=settings.required("messages_function_arn"),
        role_arn=settings.required("scheduler_role_arn"),
    )


@_wired
def messages_function() -> MessagesFunction:
    """functions/send_messages, started asynchronously (status changes, newsletters)."""
    from chalicelib.adapters.messages_function import MessagesFunction

    return MessagesFunction(get_settings().required("messages_function_arn"))


@_wired
def message_scheduling() -> MessageScheduling:
    from chalicelib.domain.principal import utc_now
    from chalicelib.services.message_scheduling import MessageScheduling

    # Tests fix the planning clock ("message_clock") to plan around a given DST change.
    clock = _overrides.get("message_clock", utc_now)
    return MessageScheduling(
        communication_profiles(), message_scheduler(), messages_function(), clock=clock
    )


@_wired
def unsubscribe_links() -> UnsubscribeLinks:
    from chalicelib.adapters.unsubscribe_key import UnsubscribeKey
    from chalicelib.services.unsubscribe_links import UnsubscribeLinks

    settings = get_settings()
    key = UnsubscribeKey(settings.required("unsubscribe_secret_arn"))
    # The sender requires the API's address (see message_sender); the API itself only renders
    # previews, and may not know its own address (a template cannot pass it without a cycle).
    return UnsubscribeLinks(lambda: key.value, settings.api_url or settings.shop_url)


@_wired
def message_composer() -> MessageComposer:
    from chalicelib.services.messages import MessageComposer

    settings = get_settings()
    return MessageComposer(settings.shop_url, settings.sender_email, unsubscribe_links())


@_wired
def job_audience() -> JobAudience:
    """A job's customers and orders as recipients (the shop's repositories)."""
    from chalicelib.adapters.dynamo.orders_repository import OrderRepository
    from chalicelib.services.message_audience import JobAudience

    _bound_table()
    return JobAudience(customers(), OrderRepository(), subjects())


@_wired
def message_sender() -> MessageSender:
    """The side of functions/send_messages; the only wiring that sends email and SMS."""
    from chalicelib.adapters.dynamo.carts_repository import CartRepository
    from chalicelib.adapters.dynamo.messages_repository import (
        MessageRepository,
        NewsletterRepository,
        OptOutRepository,
    )
    from chalicelib.adapters.mail import EmailSender
    from chalicelib.adapters.sms import SmsSender
    from chalicelib.services.messages import MessageSender

    _bound_table()
    get_settings().required("api_url")  # every email's unsubscribe link points there
    return MessageSender(
        jobs=jobs(),
        studios=studios(),
        profiles=communication_profiles(),
        audience=job_audience(),
        opt_outs=OptOutRepository(),
        messages=MessageRepository(),
        newsletters=NewsletterRepository(),
        email=EmailSender(get_settings().required("sender_email")),
        sms=SmsSender(),
        composer=message_composer(),
        carts=CartRepository(),
    )


@_wired
def job_messages() -> JobMessages:
    from chalicelib.adapters.dynamo.messages_repository import (
        MessageRepository,
        NewsletterRepository,
        OptOutRepository,
    )
    from chalicelib.services.job_messages import JobMessages

    _bound_table()
    return JobMessages(
        jobs=jobs(),
        studios=studios(),
        scheduling=message_scheduling(),
        scheduler=message_scheduler(),
        messages=MessageRepository(),
        newsletters=NewsletterRepository(),
        opt_outs=OptOutRepository(),
        audience=job_audience(),
        composer=message_composer(),
        send_now=messages_function(),
    )


@_wired
def unsubscribes() -> Unsubscribes:
    from chalicelib.adapters.dynamo.messages_repository import OptOutRepository
    from chalicelib.services.unsubscribe_links import Unsubscribes

    _bound_table()
    return Unsubscribes(unsubscribe_links(), OptOutRepository())


# The shop ----------------------------------------------------------------------------------
@_wired
def session_tokens() -> SessionTokens:
    """Shop session tokens, signed with the key in the ``session_secret_arn`` secret (read on
    first use, not at import)."""
    from chalicelib.adapters.session_tokens import SecretSigningKey, SessionTokens

    return SessionTokens(SecretSigningKey(get_settings().session_secret_arn))


@_wired
def customers() -> CustomerRepository:
    """Registered customers of jobs (``customers_of_job``), for the shop and communication."""
    from chalicelib.adapters.dynamo.customers_repository import CustomerRepository

    _bound_table()
    return CustomerRepository()


@_wired
def shop_service() -> ShopService:
    from chalicelib.adapters.dynamo.throttle_repository import LoginAttemptCounters
    from chalicelib.services.shop import ShopService

    _bound_table()
    return ShopService(
        access_codes=access_codes(),
        attempts=LoginAttemptCounters(),
        reads=shop_reads(),
        customers=customers(),
        profiles=price_profiles(),
        tokens=session_tokens(),
        on_registered=_welcome,
    )


def _welcome(customer: Customer) -> None:
    """A registration dispatches the ``registration`` trigger of the job's profile (built on
    first use: a shop without message settings still registers; the failure is logged)."""
    job = jobs().get(customer.studio_id, customer.job_id)
    message_scheduling().customer_registered(job, customer.customer_id)


@_wired
def cart_service() -> CartService:
    """The shop's server-side carts; a registered customer's change schedules the
    ``abandoned_cart`` steps of the job's profile."""
    from chalicelib.adapters.dynamo.carts_repository import CartRepository
    from chalicelib.services.carts import CartService

    _bound_table()
    return CartService(
        reads=shop_reads(),
        customers=customers(),
        profiles=price_profiles(),
        carts=CartRepository(),
        on_change=_cart_changed,
    )


def _cart_changed(job: Job, cart: Cart) -> None:
    message_scheduling().cart_changed(
        job, cart.owner.owner_id, cart.updated_at, empty=cart.is_empty
    )


def _order_placed(session: ShopSession, order: Order) -> None:
    cart_service().order_placed(session, order.job_id)


@_wired
def payment_provider() -> PaymentProvider:
    """The provider ``PHOTOJOBS_PAYMENT_PROVIDER`` names (validated with the settings)."""
    from chalicelib.domain.payments import OfflinePayment

    if get_settings().payment_provider == "stripe":
        return stripe_checkout()
    return OfflinePayment()


@_wired
def stripe_checkout() -> StripeCheckout:
    """The Stripe Checkout provider (chalicelib/adapters/payments/stripe_checkout.py): keys from
    the ``stripe_secret_arn`` secret, read on first use; Stripe sends the buyer back to the
    shop's order page."""
    from chalicelib.adapters.payments.stripe_checkout import StripeCheckout
    from chalicelib.adapters.payments.stripe_secrets import StripeSecretReader
    from chalicelib.errors import NotFound

    settings = get_settings()
    if not settings.stripe_secret_arn:
        raise NotFound("Stripe payments are not configured (PHOTOJOBS_STRIPE_SECRET_ARN)")
    order_page = settings.shop_url.rstrip("/") + "/#/order/{ORDER_ID}"
    return StripeCheckout(
        StripeSecretReader(settings.stripe_secret_arn),
        success_url=order_page,
        cancel_url=order_page,
    )


@_wired
def stripe_notifications() -> PaymentNotifications:
    """The Stripe webhook: live whenever the Stripe secret is configured, also after the shop
    went back to offline payments (sessions started before still report their payments)."""
    from chalicelib.services.payment_notifications import PaymentNotifications

    return PaymentNotifications(stripe_checkout(), order_service())


@_wired
def order_service() -> OrderService:
    from chalicelib.adapters.dynamo.orders_repository import OrderRepository
    from chalicelib.services.orders import OrderService

    _bound_table()
    return OrderService(
        jobs=jobs(),
        reads=shop_reads(),
        orders=OrderRepository(),
        profiles=price_profiles(),
        vouchers=vouchers(),
        payments=payment_provider(),
        codes=access_codes(),
        after_placed=_order_placed,
    )


@_wired
def order_downloads() -> DownloadLinks:
    """Signed links to the originals a paid order bought as digital files."""
    from chalicelib.services.order_downloads import DownloadLinks

    return DownloadLinks(order_service(), photos(), storage())
