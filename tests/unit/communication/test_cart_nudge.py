"""The abandoned-cart nudge and the welcome, with fakes behind the services' small interfaces:
a cart change (re)schedules its one pending schedule, the fired schedule nudges the cart's
owner once, and a changed, emptied or ordered cart gets no nudge (with the reason recorded).
The shop's hooks never fail a registration or a cart save."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.dynamo.shop_reads import ShopSnapshot
from chalicelib.domain.carts import Cart, CartOwner, CartOwnerKind
from chalicelib.domain.communication import Customer, OptOuts, PlannedSchedule
from chalicelib.domain.communication.delivery import may_claim_again
from chalicelib.domain.communication.library import builtin_profile
from chalicelib.domain.customers import Customer as ShopCustomer
from chalicelib.domain.jobs import Job
from chalicelib.domain.pricing import CartLine
from chalicelib.domain.shop_sessions import SessionEntry, ShopSession
from chalicelib.errors import RegistrationOff
from chalicelib.services.message_audience import Audience
from chalicelib.services.message_scheduling import MessageScheduling
from chalicelib.services.messages import MessageComposer, MessageSender
from chalicelib.services.shop import ShopService

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 13:00 in Berlin: no quiet hours
JOB = Job(
    job_id="J1",
    studio_id="S1",
    name="St. John",
    shooting_date=date(2026, 11, 1),
    job_type="school",
    internal_name="st-john",
    created_at=NOW,
    updated_at=NOW,
    timezone="Europe/Berlin",
    communication_profile_id="default",
    archive_date=date(2026, 12, 20),
    status="selling",
)
ANNA = Customer("C1", name="Anna", email="anna@example.com")
BEN = Customer("C2", name="Ben", email="ben@example.com")
LINE = CartLine("P1", "print-13x18", 2)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class Scheduler:
    """The scheduler adapter's verbs, over a dict of pending schedules."""

    def __init__(self) -> None:
        self.pending: dict[str, PlannedSchedule] = {}

    def put(self, planned: PlannedSchedule) -> None:
        self.pending[planned.name] = planned

    def delete(self, name: str) -> None:
        self.pending.pop(name, None)

    def date_schedules(self, job_id: str) -> dict[str, dict[str, Any]]:
        return {}

    def apply(self, diff: Any) -> None:
        raise AssertionError("a cart never re-plans the job's dates")


class SendNow:
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def start(self, payload: dict[str, Any]) -> None:
        self.payloads.append(payload)


class Profiles:
    def resolve(self, studio_id: str, profile_id: str) -> Any:
        return builtin_profile(studio_id)


def scheduling(clock: Clock) -> tuple[MessageScheduling, Scheduler, SendNow]:
    scheduler, send_now = Scheduler(), SendNow()
    return MessageScheduling(Profiles(), scheduler, send_now, clock=clock), scheduler, send_now  # type: ignore[arg-type]


class Messages:
    """Message records with the repository's claim-once rule."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.runs: list[dict[str, Any]] = []

    def claim(self, claim: Any) -> int | None:
        record = self.records.get(claim.message_key)
        if record and not may_claim_again(record["state"], retryable=False, attempts=1):
            return None
        self.records[claim.message_key] = {"state": "sending", "to": claim.address}
        return 1

    def finish(self, claim: Any, *, state: str, **_: Any) -> None:
        self.records[claim.message_key]["state"] = state

    def settled_keys(self, job_id: str, step_id: str) -> set[str]:
        return set(self.records)

    def record_run(self, job_id: str, step_id: str, **counts: Any) -> None:
        self.runs.append({"step_id": step_id, **counts})


class Email:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, email: Any) -> str:
        self.sent.append((to, email.subject))
        return f"m-{len(self.sent)}"


class Carts:
    def __init__(self) -> None:
        self.carts: dict[tuple[str, CartOwner], Cart] = {}

    def get(self, job_id: str, owner: CartOwner, *, now: datetime) -> Cart | None:
        return self.carts.get((job_id, owner))

    def put(self, cart: Cart) -> None:
        self.carts[(cart.job_id, cart.owner)] = cart

    def delete(self, job_id: str, owner: CartOwner) -> None:
        self.carts.pop((job_id, owner), None)


class Links:
    def url_for(self, **_: Any) -> str:
        return "https://api.example/shop/unsubscribe?token=t"


def sender(messages: Messages, email: Email, carts: Carts, clock: Clock) -> MessageSender:
    audience = Audience((ANNA, BEN), (), frozenset())
    return MessageSender(
        jobs=type("Jobs", (), {"get": lambda self, s, j: JOB})(),
        studios=type("Studios", (), {"get": lambda self, s: type("S", (), {"name": "Sun"})})(),
        profiles=Profiles(),
        audience=type("Aud", (), {"of": lambda self, j: audience})(),
        opt_outs=type("Opt", (), {"of_studio": lambda self, s: OptOuts()})(),
        messages=messages,  # type: ignore[arg-type]
        newsletters=None,  # type: ignore[arg-type]
        email=email,
        sms=type("Sms", (), {"opted_out_numbers": lambda self: frozenset()})(),
        composer=MessageComposer("https://shop.example", None, Links()),  # type: ignore[arg-type]
        carts=carts,
        clock=clock,
        workers=1,
    )


def anna_cart(at: datetime, *lines: CartLine, cart_id: str = "K1") -> Cart:
    owner = CartOwner(CartOwnerKind.CUSTOMER, ANNA.customer_id)
    return Cart(cart_id, JOB.job_id, JOB.studio_id, owner, lines, at, at + timedelta(days=180))


NAME = "pje-J1-cart-1d-C1"


def test_each_change_replaces_the_one_pending_schedule_and_emptying_deletes_it():
    clock = Clock()
    plan, scheduler, send_now = scheduling(clock)
    # When Anna's cart changes, its nudge is planned a day after the change
    assert plan.cart_changed(JOB, "C1", NOW, empty=False) == [f"at:{NAME}"]
    first = scheduler.pending[NAME]
    assert first.fire_at == NOW + timedelta(days=1)
    assert first.payload["subject_id"] == "C1" and first.payload["trigger"] == "abandoned_cart"
    # And when it changes again two hours later, the same schedule moves with it
    later = NOW + timedelta(hours=2)
    clock.now = later
    plan.cart_changed(JOB, "C1", later, empty=False)
    assert list(scheduler.pending) == [NAME]
    assert scheduler.pending[NAME].fire_at == later + timedelta(days=1)
    # And an emptied cart leaves nothing pending; nothing was ever sent at once
    assert plan.cart_changed(JOB, "C1", later, empty=True) == [f"deleted:{NAME}"]
    assert scheduler.pending == {} and send_now.payloads == []


def test_a_job_not_selling_or_without_profile_schedules_no_nudge():
    plan, scheduler, _ = scheduling(Clock())
    assert plan.cart_changed(replace(JOB, status="planning"), "C1", NOW, empty=False) == []
    no_profile = replace(JOB, communication_profile_id=None)
    assert plan.cart_changed(no_profile, "C1", NOW, empty=False) == []
    assert scheduler.pending == {}


def fired_payload(clock: Clock, changed_at: datetime) -> dict[str, Any]:
    plan, scheduler, _ = scheduling(clock)
    plan.cart_changed(JOB, "C1", changed_at, empty=False)
    return scheduler.pending[NAME].payload


def test_a_fired_schedule_nudges_the_carts_owner_once():
    clock, messages, email, carts = Clock(), Messages(), Email(), Carts()
    carts.put(anna_cart(NOW, LINE))
    payload = fired_payload(clock, NOW)
    clock.now = NOW + timedelta(days=1)
    run = sender(messages, email, carts, clock)
    # When the schedule fires, Anna (and not Ben) gets the nudge
    report = run.handle(payload)
    assert (report.outcome, report.sent) == ("sent", 1)
    assert email.sent == [("anna@example.com", "Your cart for St. John is waiting")]
    # And a re-fired schedule (or a retried Lambda) sends no second copy
    assert run.handle(payload).sent == 0
    assert len(email.sent) == 1


@pytest.mark.parametrize(
    ("cart", "outcome"),
    [
        (None, "stale:cart_gone"),  # ordered: the order deleted it
        (anna_cart(NOW), "stale:cart_empty"),
        (anna_cart(NOW + timedelta(minutes=5), LINE), "stale:subject_changed"),
    ],
)
def test_an_ordered_emptied_or_changed_cart_gets_no_nudge(cart, outcome):
    clock, messages, email, carts = Clock(), Messages(), Email(), Carts()
    if cart is not None:
        carts.put(cart)
    payload = fired_payload(clock, NOW)
    clock.now = NOW + timedelta(days=1)
    report = sender(messages, email, carts, clock).handle(payload)
    assert (report.outcome, report.sent) == (outcome, 0)
    assert email.sent == [] and messages.runs[-1]["outcome"] == outcome


def test_a_new_cart_after_an_order_may_be_nudged_again():
    clock, messages, email, carts = Clock(), Messages(), Email(), Carts()
    carts.put(anna_cart(NOW, LINE, cart_id="K1"))
    run = sender(messages, email, carts, clock)
    run.handle(fired_payload(clock, NOW))
    # When Anna ordered (cart K1 deleted) and later filled a new cart K2
    later = NOW + timedelta(days=3)
    carts.put(anna_cart(later, LINE, cart_id="K2"))
    assert run.handle(fired_payload(clock, later)).sent == 1
    assert [to for to, _ in email.sent] == ["anna@example.com", "anna@example.com"]


# the shop's registration hook ---------------------------------------------------------------
SESSION = ShopSession("SESS1", "S1", (SessionEntry("J1", None),), NOW, NOW + timedelta(hours=2))
FORM = {
    "job_id": "J1",
    "first_name": "Anna",
    "last_name": "Adler",
    "email": "anna@example.com",
    "marketing_consent": False,
}


class Customers:
    def register(self, registration: Any, **kwargs: Any) -> ShopCustomer:
        return ShopCustomer(
            customer_id="C1",
            job_id=registration.job_id,
            studio_id=kwargs["studio_id"],
            email=registration.email,
            first_name=registration.first_name,
            last_name=registration.last_name,
            marketing_consent=registration.marketing_consent,
            created_at=NOW,
            updated_at=NOW,
        )


class Reads:
    """The shop's batched read: the session's job, taking registrations."""

    def __init__(self, registration: str) -> None:
        self.job = replace(JOB, registration=registration)

    def snapshot(self, entries: Any, build_runs: Any = None) -> ShopSnapshot:
        return ShopSnapshot(jobs={self.job.job_id: self.job})


def shop(on_registered: Any, registration: str = "optional") -> ShopService:
    unused: Any = None
    return ShopService(
        access_codes=unused,
        attempts=unused,
        reads=Reads(registration),  # type: ignore[arg-type]
        customers=Customers(),  # type: ignore[arg-type]
        profiles=unused,
        tokens=unused,
        on_registered=on_registered,
        clock=lambda: NOW,
    )


def test_a_registration_tells_its_observer():
    seen: list[str] = []
    customer = shop(lambda c: seen.append(c.customer_id)).register(SESSION, FORM)
    assert seen == ["C1"] and customer.email == "anna@example.com"


def test_a_job_without_registration_refuses_the_form_and_tells_nobody():
    seen: list[str] = []
    with pytest.raises(RegistrationOff):
        shop(lambda c: seen.append(c.customer_id), registration="off").register(SESSION, FORM)
    assert seen == []


def test_a_failing_welcome_never_fails_the_registration(caplog):
    def broken(customer: ShopCustomer) -> None:
        raise RuntimeError("scheduler unreachable")

    customer = shop(broken).register(SESSION, FORM)
    assert customer.customer_id == "C1"
    assert "registration trigger failed for job J1, customer C1" in caplog.text
