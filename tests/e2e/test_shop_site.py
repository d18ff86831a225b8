"""End to end in a real browser: the parents' shop (site/) against the shop API of `make run`.

`photojobs-local` starts the whole system; Playwright drives Debian's Chromium
(``/usr/bin/chromium``, never a downloaded browser) through the shop as a parent would: a wrong
code, the link with the printed demo code, registration, the gallery, the large view with the
keyboard, two products, a sibling's photo, a voucher, checkout and the confirmation; then the
messages for an archived job, a job in planning and too many wrong codes. Screenshots of each step,
at 375x812 and 1280x800, go to /tmp/photojobs-shop/ (PHOTOJOBS_SCREENSHOTS moves them).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.e2e.stack import start_local_stack

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("PHOTOJOBS_SCREENSHOTS", "/tmp/photojobs-shop"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium (`make system-deps` as root, or "
        "apt-get install chromium); this test never downloads a browser",
        allow_module_level=True,
    )


class Stack:
    """The running `photojobs-local` and what it printed (a thread reads it as it comes)."""

    def __init__(self, process: subprocess.Popen, api: str, site: str) -> None:
        self.process = process
        self.api = api
        self.site = site
        self.lines: list[str] = []
        assert process.stdout is not None
        self._reader = threading.Thread(target=lambda: self.lines.extend(process.stdout))
        self._reader.daemon = True
        self._reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.output):
                return
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.2)
        raise AssertionError(f"did not see {pattern!r}; output so far:\n{self.output}")

    def printed(self, pattern: str) -> str | None:
        found = re.search(pattern, self.output)
        return found.group(1) if found else None


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    process, ports = start_local_stack()
    running = Stack(
        process, api=f"http://127.0.0.1:{ports['api']}", site=f"http://127.0.0.1:{ports['site']}"
    )
    try:
        running.wait_for(r"Press Ctrl-C to stop", timeout=120)
        # meanwhile the runner uploads the demo shoot, builds the galleries and starts selling
        running.wait_for(r"demo shop ready|demo shop could not be prepared", timeout=360)
        assert "could not be prepared" not in running.output, running.output
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def shop_gallery(stack: Stack, code: str) -> dict[str, Any] | None:
    session = requests.post(f"{stack.api}/shop/session", json={"code": code}, timeout=10)
    assert session.status_code == 200, session.text
    token = session.json()["token"]
    gallery = requests.get(
        f"{stack.api}/shop/gallery", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return gallery.json() if gallery.status_code == 200 else None


def wait_for_photos(stack: Stack, code: str, timeout: float = 180) -> dict[str, Any]:
    """The demo galleries are built when the stack starts; wait until the code shows photos."""
    deadline = time.monotonic() + timeout
    gallery = None
    while time.monotonic() < deadline:
        gallery = shop_gallery(stack, code)
        if gallery and gallery["subjects"] and all(s["photos"] for s in gallery["subjects"]):
            return gallery
        time.sleep(1)
    raise AssertionError(f"no photos for {code} after {timeout} s: {gallery}")


def demo_codes(stack: Stack) -> tuple[str, str, str | None]:
    """The demo code, a sibling's code and the voucher the runner printed:
    `demo code DEMO3B01 (a sibling's code: DEMO4A01; voucher WELCOME10)`."""
    code = stack.printed(r"demo code\s+(\w+)")
    sibling = stack.printed(r"sibling's code:\s*(\w+)")
    voucher = stack.printed(r"voucher\s+(\w+)\)")
    assert code and sibling, stack.output
    return code, sibling, voucher


def admin_headers(stack: Stack) -> dict[str, str]:
    login = requests.post(
        f"{stack.api}/api/auth/login",
        json={
            "email": stack.printed(r"demo login\s+(\S+)"),
            "password": stack.printed(r"demo password\s+(\S+)"),
        },
        timeout=10,
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['id_token']}"}


def admin_status(stack: Stack, status: str) -> None:
    login = requests.post(
        f"{stack.api}/api/auth/login",
        json={
            "email": stack.printed(r"demo login\s+(\S+)"),
            "password": stack.printed(r"demo password\s+(\S+)"),
        },
        timeout=10,
    )
    assert login.status_code == 200, login.text
    job_id = stack.printed(r"demo job\s+(\S+)")
    changed = requests.post(
        f"{stack.api}/api/jobs/{job_id}/status",
        json={"status": status, "force": True},
        headers={"Authorization": f"Bearer {login.json()['id_token']}"},
        timeout=10,
    )
    assert changed.status_code == 200, changed.text


def admin_patch_job(stack: Stack, changes: dict[str, Any]) -> None:
    job_id = stack.printed(r"demo job\s+(\S+)")
    changed = requests.patch(
        f"{stack.api}/api/jobs/{job_id}", json=changes, headers=admin_headers(stack), timeout=10
    )
    assert changed.status_code == 200, changed.text


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


def new_page(browser: Any, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "status of 4" not in msg.text
            else None
        ),
    )
    page.set_default_timeout(15_000)
    return page, problems


def shot(page: Any, name: str) -> None:
    width = page.viewport_size["width"]
    kind = "phone" if width < 700 else "desktop"
    page.screenshot(path=str(SCREENSHOTS / f"{kind}-{name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{kind}-{name}: the page is {overflow}px wider than the screen"


def register_if_asked(page: Any) -> bool:
    page.wait_for_selector(".thumb, #f-first_name, .notice")
    if not page.locator("#f-first_name").is_visible():
        return False
    shot(page, "02-registration")
    page.fill("#f-first_name", "Anna")
    page.fill("#f-last_name", "Müller")
    page.fill("#f-email", "anna.mueller@example.com")
    page.fill("#f-phone", "+49 30 1234567")
    page.get_by_role("button", name=re.compile("^Register")).click()
    return True


def add_product(page: Any, index: int, quantity: int) -> str:
    product = page.locator(".viewer-dialog .product").nth(index)
    name = product.locator(".product-name").inner_text().splitlines()[0]
    product.click()
    page.fill("#qty", str(quantity))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".added")).to_contain_text(f"Added {quantity} \u00d7 {name}")
    return name


def saved_cart_quantity(stack: Stack, page: Any, *, expected: int) -> int:
    """How many items the shop keeps in the session's carts (PUT by the site, debounced)."""
    session = page.evaluate("JSON.parse(sessionStorage.getItem('photojobs.session'))")

    def quantity() -> int:
        total = 0
        for job in session["jobs"]:
            answer = requests.get(
                f"{stack.api}/shop/cart",
                params={"job_id": job["job_id"]},
                headers={"Authorization": f"Bearer {session['token']}"},
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
            total += sum(line["quantity"] for line in answer.json()["lines"])
        return total

    deadline = time.monotonic() + 15
    while (found := quantity()) != expected and time.monotonic() < deadline:
        time.sleep(0.3)
    return found


def tab_to(page: Any, target: Any, presses: int = 60) -> None:
    """Press Tab (only Tab) until ``target`` has the focus: what a keyboard user does."""
    for _ in range(presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{presses} presses of Tab never reached {target}")


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))


def images_loaded(page: Any, selector: str) -> bool:
    return page.eval_on_selector_all(
        selector, "imgs => imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)"
    )


def test_a_parent_orders_photos_in_the_shop(stack: Stack, browser: Any) -> None:
    demo_code, sibling, voucher = demo_codes(stack)
    first = wait_for_photos(stack, demo_code)
    wait_for_photos(stack, sibling)
    child = first["subjects"][0]
    page, problems = new_page(browser, DESKTOP)

    # a code that opens nothing
    page.goto(f"{stack.site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your school photos")
    shot(page, "01-enter-code")
    page.get_by_label("Access code").fill("NOPE2024")
    page.get_by_role("button", name="Show my photos").click()
    expect(page.get_by_role("alert")).to_contain_text("couldn't find photos for this code")
    shot(page, "01-unknown-code")

    # the link with the code signs in directly, and the code leaves the address bar
    page.goto(f"{stack.site}/?code={demo_code}")
    registered = register_if_asked(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your photos")
    assert "code=" not in page.url
    expect(page.locator(".subject h2").first).to_contain_text(child["first_name"])
    thumbs = page.locator(".thumb")
    expect(thumbs).to_have_count(len(child["photos"]))
    page.wait_for_function(
        "[...document.querySelectorAll('.thumb img')].every(i => i.complete && i.naturalWidth)"
    )
    assert images_loaded(page, ".thumb img")
    shot(page, "03-gallery")

    # the large (watermarked) view: arrows browse, Esc closes
    thumbs.first.click()
    dialog = page.locator("dialog#viewer")
    expect(dialog).to_be_visible()
    total = len(child["photos"])
    expect(dialog.locator("h2")).to_contain_text(f"Photo 1 of {total}")
    if total > 1:
        page.keyboard.press("ArrowRight")
        expect(dialog.locator("h2")).to_contain_text(f"Photo 2 of {total}")
        page.keyboard.press("ArrowLeft")
        expect(dialog.locator("h2")).to_contain_text(f"Photo 1 of {total}")
    expect(dialog.locator(".product").first).to_be_visible()
    page.wait_for_function("document.querySelector('.viewer-image').naturalWidth > 0")
    shot(page, "04-large-view")
    first_product = add_product(page, 0, 2)
    second_product = add_product(page, 1, 1)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#cart-count")).to_have_text("3")

    # a sibling's code joins the same cart
    page.get_by_role("link", name="Add their code").click()
    page.get_by_label("Access code of your other child").fill(sibling)
    page.get_by_role("button", name="Add child").click()
    register_if_asked(page)
    expect(page.locator(".subject")).to_have_count(2)
    sibling_section = page.locator(".subject").nth(1)
    sibling_section.locator(".thumb").first.click()
    add_product(page, 0, 1)
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#cart-count")).to_have_text("4")
    shot(page, "05-gallery-two-children")
    # the shop keeps a registered parent's cart too (the demo parent is), for other devices
    jobs = page.evaluate("JSON.parse(sessionStorage.getItem('photojobs.session')).jobs")
    assert all(job["registered"] for job in jobs)
    assert saved_cart_quantity(stack, page, expected=4) == 4
    # and another device with the first child's code finds that child's lines in its cart
    tablet, tablet_problems = new_page(browser, DESKTOP)
    tablet.goto(f"{stack.site}/?code={demo_code}")
    expect(tablet.locator(".thumb")).to_have_count(len(child["photos"]))
    expect(tablet.locator("#cart-count")).to_have_text("3")
    tablet.context.close()
    assert tablet_problems == []

    # the cart, persisted in sessionStorage: a reload keeps it
    page.get_by_role("link", name=re.compile("^Cart")).click()
    page.reload()
    lines = page.locator(".cart-line")
    expect(lines).to_have_count(3)
    expect(lines.first).to_contain_text(first_product)
    expect(lines.nth(1)).to_contain_text(second_product)
    if voucher:
        page.get_by_label("Voucher code").fill(voucher)
        page.get_by_role("button", name="Apply").click()
        expect(page.locator(".voucher-note")).to_contain_text(voucher.upper())
        # the server's quote: the discount and the total before checkout
        expect(page.locator(".cart-discount")).to_contain_text("\u2212")
        expect(page.locator(".cart-grand-total")).not_to_be_empty()
    shot(page, "06-cart")

    # checkout and confirmation
    page.get_by_role("link", name="Go to checkout").click()
    if not registered:
        page.fill("#f-name", "Anna Müller")
        page.fill("#f-email", "anna.mueller@example.com")
    expect(page.locator("#f-name")).not_to_have_value("")
    shot(page, "07-checkout")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your order")
    order_id = page.locator(".order-id").inner_text()
    token = page.evaluate("JSON.parse(sessionStorage.getItem('photojobs.session')).token")
    order = requests.get(
        f"{stack.api}/shop/orders/{order_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert order["payment"]["method"] == "offline"
    assert sum(line["quantity"] for line in order["lines"]) == 4
    if voucher:
        assert order["discount_minor"] > 0
    shown_total = page.evaluate(
        "([minor, currency]) => { const f = new Intl.NumberFormat(navigator.language, "
        "{style: 'currency', currency}); "
        "return f.format(minor / 10 ** f.resolvedOptions().maximumFractionDigits); }",
        [order["total_minor"], order["currency"]],
    )
    expect(page.locator(".order-total")).to_have_text(shown_total)
    expect(page.locator(".pay-later")).to_contain_text(order_id)
    expect(page.locator("#cart-count")).to_have_text("0")
    shot(page, "08-confirmation")

    # a digital file, once the photographer has marked it paid, downloads from the order page
    shop_headers = {"Authorization": f"Bearer {token}"}
    bought = requests.post(
        f"{stack.api}/shop/orders",
        json={
            "job_id": order["job_id"],
            "lines": [{"photo_id": order["lines"][0]["photo_id"], "product_id": "download"}],
            "contact": {"name": "Anna Müller", "email": "anna.mueller@example.com"},
        },
        headers=shop_headers,
        timeout=10,
    )
    assert bought.status_code == 201, bought.text
    file_order = bought.json()["order_id"]
    paid = requests.post(
        f"{stack.api}/api/jobs/{order['job_id']}/orders/{file_order}/paid",
        headers=admin_headers(stack),
        timeout=10,
    )
    assert paid.status_code == 200, paid.text
    page.goto(f"{stack.site}/#/order/{file_order}")
    links = page.locator(".download-link")
    expect(links).to_have_count(1)
    fetched = requests.get(links.first.get_attribute("href"), timeout=10)
    assert fetched.status_code == 200 and fetched.content[:2] == b"\xff\xd8"
    assert fetched.headers["Content-Disposition"].startswith("attachment;")
    shot(page, "08-downloads")

    # the same pages on a phone
    phone, phone_problems = new_page(browser, PHONE)
    phone.goto(f"{stack.site}/?code={demo_code}")
    register_if_asked(phone)
    expect(phone.locator(".thumb")).to_have_count(len(child["photos"]))
    phone.wait_for_function(
        "[...document.querySelectorAll('.thumb img')].every(i => i.complete && i.naturalWidth)"
    )
    shot(phone, "03-gallery")
    phone.locator(".thumb").first.click()
    phone.wait_for_function("document.querySelector('.viewer-image').naturalWidth > 0")
    expect(phone.locator(".viewer-dialog .product").first).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "phone-04-large-view.png"))
    add_product(phone, 0, 1)
    phone.keyboard.press("Escape")
    phone.goto(f"{stack.site}/#/cart")
    expect(phone.locator(".cart-line")).to_have_count(1)
    shot(phone, "06-cart")
    phone.get_by_role("link", name="Go to checkout").click()
    phone.fill("#f-name", "Ben Weber")
    phone.fill("#f-email", "ben.weber@example.com")
    shot(phone, "07-checkout")
    phone.get_by_role("button", name="Place order").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you for your order")
    expect(phone.locator(".order-total")).not_to_be_empty()
    shot(phone, "08-confirmation")
    phone.goto(f"{stack.site}/")
    phone.evaluate("sessionStorage.clear()")
    phone.reload()
    shot(phone, "01-enter-code")

    # keyboard only: the code, a photo, a product, the cart, checkout and the order
    keys, keys_problems = new_page(browser, DESKTOP)
    keys.goto(f"{stack.site}/")
    tab_to(keys, keys.get_by_label("Access code"))
    keys.keyboard.type(demo_code)
    keys.keyboard.press("Enter")
    expect(keys.get_by_role("heading", level=1)).to_have_text("Your photos")
    first_thumb = keys.locator(".thumb").first
    tab_to(keys, first_thumb)
    keys.keyboard.press("Enter")
    expect(keys.locator("dialog#viewer")).to_be_visible()
    tab_to(keys, keys.locator(".viewer-dialog input[name=product]").first)
    keys.keyboard.press("ArrowDown")  # the second product
    expect(keys.locator(".viewer-dialog input[name=product]").nth(1)).to_be_checked()
    tab_to(keys, keys.get_by_role("button", name="Add to cart"))
    keys.keyboard.press("Enter")
    expect(keys.locator(".added")).to_contain_text("Added 1 \u00d7")
    keys.keyboard.press("Escape")
    expect(keys.locator("dialog#viewer")).to_be_hidden()
    assert first_thumb.evaluate("e => e === document.activeElement"), focused(keys)
    tab_to(keys, keys.get_by_role("link", name=re.compile("^Cart")))
    keys.keyboard.press("Enter")
    expect(keys.locator(".cart-line")).to_have_count(1)
    tab_to(keys, keys.get_by_role("link", name="Go to checkout"))
    keys.keyboard.press("Enter")
    tab_to(keys, keys.locator("#f-name"))
    keys.keyboard.type("Clara Keys")
    tab_to(keys, keys.locator("#f-email"))
    keys.keyboard.type("clara.keys@example.com")
    tab_to(keys, keys.get_by_role("button", name="Place order"))
    shot(keys, "11-keyboard-checkout")
    keys.keyboard.press("Enter")
    expect(keys.get_by_role("heading", level=1)).to_have_text("Thank you for your order")
    keys.context.close()
    assert keys_problems == []

    # what parents see when the job is archived or not yet selling (seeds 001, 002)
    admin_status(stack, "archived")
    page.evaluate("sessionStorage.clear()")
    page.goto(f"{stack.site}/?code={demo_code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your photos have been archived")
    expect(page.locator(".thumb")).to_have_count(0)
    shot(page, "09-archived")
    admin_status(stack, "planning")
    phone.goto(f"{stack.site}/?code={demo_code}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your photos are not ready yet")
    shot(phone, "09-not-yet-available")
    # a prepay job past its prepay deadline: the photos stay visible, pre-orders are closed
    admin_patch_job(
        stack, {"prepay": True, "prepay_deadline": (date.today() - timedelta(days=2)).isoformat()}
    )
    admin_status(stack, "prepay")
    phone.evaluate("sessionStorage.clear()")
    phone.goto(f"{stack.site}/?code={demo_code}")
    expect(phone.locator(".thumb")).to_have_count(len(child["photos"]))
    expect(phone.locator(".notice").first).to_contain_text("Pre-orders have closed")
    shot(phone, "09-prepay-closed")
    phone.locator(".thumb").first.click()
    expect(phone.locator(".viewer-dialog")).to_contain_text("Pre-orders have closed")
    expect(phone.get_by_role("button", name="Add to cart")).to_have_count(0)
    phone.keyboard.press("Escape")

    # too many wrong codes: the wait is shown and the button stays disabled
    for _ in range(20):
        answer = requests.post(f"{stack.api}/shop/session", json={"code": "NOPE2024"}, timeout=10)
        if answer.status_code == 429:
            break
    else:
        raise AssertionError("no 429 after 20 wrong codes")
    phone.evaluate("sessionStorage.clear()")
    phone.goto(f"{stack.site}/")
    phone.get_by_label("Access code").fill("NOPE2025")
    phone.get_by_role("button", name="Show my photos").click()
    expect(phone.get_by_role("alert")).to_contain_text("Too many attempts")
    expect(phone.locator(".countdown")).to_contain_text("You can try again in")
    expect(phone.get_by_role("button", name="Show my photos")).to_be_disabled()
    shot(phone, "10-too-many-attempts")

    assert not problems, problems
    assert not phone_problems, phone_problems
