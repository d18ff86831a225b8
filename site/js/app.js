// The parents' shop: a single page with hash routes.
//   #/login  #/add  #/register  #/gallery  #/cart  #/checkout/<job>  #/order/<order>
// A link with ?code=XXXX signs in directly (and the code is taken out of the address bar).

import { ApiError, NetworkError, call } from "./api.js";
import { cartChanged, restoreCart } from "./cartsync.js";
import * as store from "./store.js";
import { day, duration, h, money, plural } from "./ui.js";

const main = document.getElementById("main");
const live = document.getElementById("live");
const viewer = document.getElementById("viewer");
const cartCount = document.getElementById("cart-count");

let session = store.loadSession();
let cart = store.loadCart();
let gallery = null; // the last GET /gallery answer, with loadedAt
const priceLists = new Map(); // job_id -> Promise of the job's products
let renderId = 0;
let flash = null; // a message for the next page: {kind, title, text}

// --- session -------------------------------------------------------------------------------

function signedIn() {
  if (session && store.sessionExpired(session)) {
    endSession("Your session has ended. Please enter your code again to see your photos.");
  }
  return Boolean(session);
}

function endSession(message) {
  session = null;
  gallery = null;
  priceLists.clear();
  store.saveSession(null);
  if (message) flash = { kind: "info", text: message };
  updateChrome();
}

function job(jobId) {
  return (session?.jobs || []).find((j) => j.job_id === jobId) || null;
}

async function shop(method, path, options = {}) {
  try {
    return await call(method, path, { token: session?.token, ...options });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && session && path !== "/session") {
      endSession("Your session has ended. Please enter your code again to see your photos.");
      renderId += 1; // the page that asked is stale now: it must not render over the login
      go("#/login");
    }
    throw err;
  }
}

function registrationPending() {
  const skipped = store.skippedRegistrations();
  return (session?.jobs || []).find(
    (j) =>
      !j.registered &&
      (j.registration === "required" || (j.registration === "optional" && !skipped.includes(j.job_id))),
  );
}

function afterSignIn() {
  syncCart();
  go(registrationPending() ? "#/register" : "#/gallery");
}

// A registered parent's cart is also kept by the shop (cartsync.js): restore it on this
// device, or save this tab's cart for the others.
function syncCart() {
  const current = session;
  restoreCart(current, cart)
    .then((changed) => {
      if (session !== current) return;
      if (!changed) return cartChanged(session, cart);
      pruneCart(); // a sibling's photos saved on another device are not shown here
      saveCart();
    })
    .catch((err) => console.warn(err));
}

// --- messages ------------------------------------------------------------------------------

const CLOSED = {
  not_yet_available: (j) => ({
    title: "Your photos are not ready yet",
    text: `The photographer is still preparing the photos of ${j}. Please come back later: your code will work then.`,
  }),
  archived: (j) => ({
    title: "Your photos have been archived",
    text: `The photos of ${j} have been archived, so they can no longer be viewed or ordered here. If you have questions, please contact your photographer.`,
  }),
  prepay_closed: (j) => ({
    title: "Pre-orders have closed",
    text: `The pre-order period for ${j} has ended, so no more orders can be placed.`,
  }),
  selling_closed: (j, when) => ({
    title: "The shop has closed",
    text: when
      ? `Orders for ${j} could be placed until ${day(when)}. No more orders can be placed now.`
      : `Orders for ${j} are closed. No more orders can be placed now.`,
  }),
  registration_required: (j) => ({
    title: "Please register first",
    text: `The photographer asks you to register before you can see the photos of ${j}.`,
  }),
};

function closedMessage(reason, jobInfo) {
  const name = jobInfo?.name || "this school";
  const make = CLOSED[reason] || CLOSED.selling_closed;
  return make(name, jobInfo?.archive_date);
}

function codeError(err) {
  if (err instanceof NetworkError) return { text: err.message };
  switch (err.code) {
    case "invalid_code":
      return {
        text: "This code doesn't look right. Please check it for typos: each character of the code on your card counts.",
      };
    case "unknown_code":
      return { text: "We couldn't find photos for this code. Please check the code on your card and try again." };
    case "too_many_attempts":
      return {
        text: "Too many attempts with codes that did not work. For your children's privacy, please wait before you try again.",
        wait: err.retryAfter ?? 600,
      };
    case "different_studio":
      return {
        text: "This code belongs to another photographer's shop, so it cannot go into the same cart. Please order these photos first, then sign out and enter the other code.",
      };
    case "session_full":
      return { text: "This cart already holds as many children as it can. Please place this order first." };
    case "validation_failed":
      return { text: "Please enter the code printed on your card." };
    default:
      return { text: `Something went wrong (${err.message}). Please try again.` };
  }
}

function notice(kind, title, text, ...extra) {
  return h(
    "div",
    { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : null },
    title ? h("h2", { class: "notice-title" }, title) : null,
    text ? h("p", null, text) : null,
    ...extra,
  );
}

function announce(text) {
  live.textContent = "";
  setTimeout(() => {
    live.textContent = text;
  }, 50);
}

// --- rendering -----------------------------------------------------------------------------

function render(title, ...nodes) {
  document.title = `${title} · Photo shop`;
  const heading = h("h1", { tabindex: "-1" }, title);
  const pending = flash;
  flash = null;
  main.replaceChildren(
    ...[heading, pending ? notice(pending.kind, pending.title, pending.text) : null, ...nodes].filter(Boolean),
  );
  if (!quiet) {
    heading.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }
  updateChrome();
}

// Render the current page again in place (after a change on it): no focus jump, no scrolling.
let quiet = false;
async function refresh() {
  quiet = true;
  try {
    await route();
  } finally {
    quiet = false;
  }
}

function loading(text) {
  main.replaceChildren(h("p", { class: "loading", role: "status" }, text));
}

function updateChrome() {
  document.body.classList.toggle("signed-in", Boolean(session));
  const count = cart.lines.reduce((sum, line) => sum + line.quantity, 0);
  cartCount.textContent = String(count);
  cartCount.parentElement.setAttribute("aria-label", `Cart, ${plural(count, "item", "items")}`);
  const path = location.hash.slice(1);
  for (const link of document.querySelectorAll("header nav a")) {
    const current = path.startsWith(link.getAttribute("href").slice(1));
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// --- code forms: sign in, add a child -------------------------------------------------------

function codeForm({ label, button, onCode }) {
  const input = h("input", {
    id: "code",
    name: "code",
    type: "text",
    required: true,
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    "aria-describedby": "code-hint",
    maxlength: "40",
    class: "code-input",
  });
  const submit = h("button", { type: "submit", class: "button primary" }, button);
  const message = h("div", { class: "form-message", id: "code-message" });
  let timer = null;

  function waitFor(untilMs) {
    clearInterval(timer);
    const countdown = h("p", { class: "countdown" });
    const tick = () => {
      const left = (untilMs - Date.now()) / 1000;
      if (left <= 0) {
        clearInterval(timer);
        submit.disabled = false;
        countdown.textContent = "You can try again now.";
        store.setWaitUntil(0);
        return;
      }
      submit.disabled = true;
      countdown.textContent = `You can try again in ${duration(left)}.`;
    };
    tick();
    timer = setInterval(tick, 1000);
    return countdown;
  }

  const form = h(
    "form",
    {
      class: "card code-form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        const code = input.value.trim();
        if (!code) {
          message.replaceChildren(notice("error", null, "Please enter the code printed on your card."));
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        submit.disabled = true;
        submit.textContent = "Checking…";
        message.replaceChildren();
        try {
          await onCode(code);
        } catch (err) {
          if (!(err instanceof ApiError || err instanceof NetworkError)) throw err;
          const { text, wait } = codeError(err);
          input.setAttribute("aria-invalid", "true");
          const extra = [];
          if (wait) {
            const until = Date.now() + wait * 1000;
            store.setWaitUntil(until);
            extra.push(waitFor(until));
          }
          message.replaceChildren(
            notice("error", err.code === "too_many_attempts" ? "Please wait a moment" : null, text, ...extra),
          );
          input.focus();
        } finally {
          submit.textContent = button;
          if (!timer || store.waitUntil() <= Date.now()) submit.disabled = false;
        }
      },
    },
    h("label", { for: "code" }, label),
    h("p", { class: "hint", id: "code-hint" }, "It is printed on the card your child brought home, e.g. K7M4-Q9PX-2HTR."),
    h("div", { class: "row" }, input, submit),
    message,
  );
  input.addEventListener("input", () => input.removeAttribute("aria-invalid"));
  const until = store.waitUntil();
  if (until > Date.now()) {
    message.replaceChildren(
      notice("error", "Please wait a moment", "Too many attempts with codes that did not work.", waitFor(until)),
    );
  }
  return form;
}

async function startSession(code) {
  const data = await call("POST", "/session", { body: { code } });
  session = data;
  store.saveSession(session);
  gallery = null;
  priceLists.clear();
}

async function addCode(code) {
  try {
    session = await call("POST", "/session", { body: { code }, token: session.token });
  } catch (err) {
    // the session ran out meanwhile: a fresh one with this code (the cart stays)
    if (err instanceof ApiError && err.status === 401 && err.code !== "unknown_code") {
      return startSession(code);
    }
    throw err;
  }
  store.saveSession(session);
  gallery = null;
}

function loginView() {
  if (signedIn()) return go("#/gallery");
  render(
    "Your school photos",
    h("p", { class: "lead" }, "Enter your access code to see your child's photos and order prints or downloads."),
    codeForm({
      label: "Access code",
      button: "Show my photos",
      onCode: async (code) => {
        await startSession(code);
        afterSignIn();
      },
    }),
  );
}

function addChildView() {
  if (!signedIn()) return go("#/login");
  const names = (session.subjects || []).map((s) => s.first_name).join(", ");
  render(
    "Add another child",
    h(
      "p",
      { class: "lead" },
      `Brothers and sisters photographed by the same photographer can be ordered together in one cart.${names ? ` You are signed in for: ${names}.` : ""}`,
    ),
    codeForm({
      label: "Access code of your other child",
      button: "Add child",
      onCode: async (code) => {
        const before = new Set(session.subjects.map((s) => s.subject_id));
        await addCode(code);
        const added = session.subjects.filter((s) => !before.has(s.subject_id));
        flash = {
          kind: "success",
          text: added.length
            ? `Added ${added.map((s) => s.first_name).join(", ")}: their photos are below.`
            : "This child's photos were already here.",
        };
        afterSignIn();
      },
    }),
    h("p", null, h("a", { href: "#/gallery" }, "Back to the photos")),
  );
}

// --- registration --------------------------------------------------------------------------

const REGISTRATION_FIELDS = [
  { name: "first_name", label: "First name", autocomplete: "given-name", required: true },
  { name: "last_name", label: "Last name", autocomplete: "family-name", required: true },
  { name: "email", label: "Email", type: "email", autocomplete: "email", required: true },
  { name: "phone", label: "Phone", type: "tel", autocomplete: "tel", required: false },
];

function field({ name, label, type = "text", autocomplete, required, value, hint }) {
  const id = `f-${name}`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label, required ? null : h("span", { class: "optional" }, " (optional)")),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("input", {
      id,
      name,
      type,
      autocomplete,
      required,
      value: value || "",
      "aria-describedby": `${id}-error${hint ? ` ${id}-hint` : ""}`,
    }),
    h("p", { class: "field-error", id: `${id}-error` }),
  );
}

// 400s name the bad fields: {"errors": [{"field", "reason"}]} or {"field", "message"}.
function showFieldErrors(form, err) {
  const list = Array.isArray(err.body.errors)
    ? err.body.errors
    : err.body.field
      ? [{ field: err.body.field, reason: err.body.message }]
      : [];
  let first = null;
  for (const { field: name, reason } of list) {
    const key = String(name).split(".").pop();
    const input = form.querySelector(`[name="${CSS.escape(key)}"]`);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const error = form.querySelector(`#f-${CSS.escape(key)}-error`);
    if (error) error.textContent = reason ? `${input.labels[0].firstChild.textContent} ${reason}.` : "Please check this field.";
    first = first || input;
  }
  if (first) first.focus();
  return list.length > 0;
}

function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const error of form.querySelectorAll(".field-error")) error.textContent = "";
}

function checkRequired(form) {
  let first = null;
  for (const input of form.querySelectorAll("input[required]")) {
    const empty = !input.value.trim();
    const bad = empty || (input.type === "email" && !input.validity.valid);
    if (!bad) continue;
    input.setAttribute("aria-invalid", "true");
    form.querySelector(`#${input.id}-error`).textContent = empty
      ? `Please enter your ${input.labels[0].firstChild.textContent.toLowerCase()}.`
      : "Please enter a valid email address, like name@example.com.";
    first = first || input;
  }
  if (first) first.focus();
  return !first;
}

function registerView() {
  if (!signedIn()) return go("#/login");
  const pending = registrationPending();
  if (!pending) return go("#/gallery");
  const required = pending.registration === "required";
  const contact = store.loadContact();
  const message = h("div", { class: "form-message" });
  const submit = h("button", { type: "submit", class: "button primary" }, required ? "Register and see the photos" : "Register");
  const form = h(
    "form",
    {
      class: "card",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        message.replaceChildren();
        if (!checkRequired(form)) return;
        const data = Object.fromEntries(new FormData(form));
        const body = {
          job_id: pending.job_id,
          first_name: data.first_name.trim(),
          last_name: data.last_name.trim(),
          email: data.email.trim(),
          phone: data.phone.trim() || null,
          marketing_consent: form.elements.marketing_consent.checked,
        };
        submit.disabled = true;
        try {
          await shop("POST", "/registration", { body });
        } catch (err) {
          submit.disabled = false;
          if (err instanceof ApiError && err.status === 400 && showFieldErrors(form, err)) return;
          message.replaceChildren(notice("error", null, `Your registration could not be saved: ${err.message}`));
          return;
        }
        store.saveContact({
          name: `${body.first_name} ${body.last_name}`,
          email: body.email,
          phone: body.phone || "",
        });
        for (const j of session.jobs) if (j.job_id === pending.job_id) j.registered = true;
        store.saveSession(session);
        flash = { kind: "success", text: "Thank you for registering." };
        afterSignIn();
      },
    },
    ...REGISTRATION_FIELDS.map((f) => field({ ...f, value: contactValue(contact, f.name) })),
    h(
      "div",
      { class: "field checkbox" },
      h("input", { id: "f-marketing_consent", name: "marketing_consent", type: "checkbox" }),
      h(
        "label",
        { for: "f-marketing_consent" },
        "Yes, the photographer may send me news and offers by email or text message. I can withdraw this at any time.",
      ),
    ),
    message,
    h(
      "div",
      { class: "actions" },
      submit,
      required
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "button",
              onclick: () => {
                store.skipRegistration(pending.job_id);
                afterSignIn();
              },
            },
            "Skip for now",
          ),
    ),
  );
  render(
    required ? "Please register to see your photos" : "Stay informed",
    h(
      "p",
      { class: "lead" },
      required
        ? `The photographer asks parents to register before showing the photos of ${pending.name}. We use these details for your orders and to contact you about them.`
        : `Leave your details to hear about your photos of ${pending.name}, e.g. before discounts end or the photos are archived. You can also skip this.`,
    ),
    form,
  );
}

function contactValue(contact, name) {
  if (name === "first_name") return (contact.name || "").split(" ")[0];
  if (name === "last_name") return (contact.name || "").split(" ").slice(1).join(" ");
  return contact[name] || "";
}

// --- gallery -------------------------------------------------------------------------------

async function loadGallery(force = false) {
  if (gallery && !force && Date.now() - gallery.loadedAt < 10 * 60 * 1000) return gallery;
  const data = await shop("GET", "/gallery");
  gallery = { ...data, loadedAt: Date.now() };
  pruneCart();
  return gallery;
}

function photoIndex() {
  const photos = new Map();
  for (const s of gallery?.subjects || []) {
    for (const p of s.photos) if (!photos.has(p.photo_id)) photos.set(p.photo_id, { photo: p, subject: s });
  }
  return photos;
}

function photoLabel(photo, subjectInfo, position) {
  if (photo.kind === "group") return `Class photo ${subjectInfo.class_name || ""}`.trim();
  return `${subjectInfo.first_name}, photo ${position}`;
}

function priceList(jobId) {
  if (!priceLists.has(jobId)) {
    const pending = shop("GET", "/products", { query: { job_id: jobId } });
    pending.catch(() => priceLists.delete(jobId));
    priceLists.set(jobId, pending);
  }
  return priceLists.get(jobId);
}

function jobStatusNotices(jobs) {
  return jobs
    .filter((j) => j.closed_reason)
    .map((j) => {
      const { title, text } = closedMessage(j.closed_reason, j);
      return notice("warning", title, text);
    });
}

let refreshing = false;
function imageFailed() {
  // Signed image links expire after some minutes: fetch fresh ones, at most once a minute.
  if (refreshing || !gallery || Date.now() - gallery.loadedAt < 60 * 1000) return;
  refreshing = true;
  loadGallery(true)
    .then(() => location.hash.startsWith("#/gallery") && !viewer.open && refresh())
    .catch(() => {})
    .finally(() => {
      refreshing = false;
    });
}

async function galleryView() {
  if (!signedIn()) return go("#/login");
  if (registrationPending()) return go("#/register");
  const id = renderId;
  const jobs = session.jobs;
  const hidden = new Set(["not_yet_available", "archived"]);
  if (jobs.every((j) => hidden.has(j.closed_reason))) {
    const first = jobs[0];
    const { title } = closedMessage(first.closed_reason, first);
    return render(title, ...jobs.map((j) => notice("info", null, closedMessage(j.closed_reason, j).text)), addChildLink());
  }
  if (!gallery) loading("Loading your photos…");
  let data;
  try {
    data = await loadGallery();
  } catch (err) {
    if (id !== renderId) return;
    if (err instanceof ApiError && err.status === 403) {
      if (err.code === "registration_required") {
        const j = jobs.find((x) => !x.registered) || jobs[0];
        j.registration = "required";
        store.saveSession(session);
        return go("#/register");
      }
      const j = jobs.find((x) => x.closed_reason === err.code) || jobs[0];
      const { title, text } = closedMessage(err.code, j);
      return render(title, notice("info", null, text), addChildLink());
    }
    return render("Your photos", notice("error", "The photos could not be loaded", err.message, retryButton()));
  }
  if (id !== renderId) return;
  const many = new Set(data.subjects.map((s) => s.job_id)).size > 1;
  const sections = data.subjects.map((s) => subjectSection(s, many));
  render(
    "Your photos",
    ...jobStatusNotices(jobs),
    ...(data.unavailable || [])
      .filter((u) => !job(u.job_id)?.closed_reason)
      .map((u) => notice("warning", null, CLOSED[u.reason] ? closedMessage(u.reason, job(u.job_id)).text : u.message)),
    deadlineNote(jobs),
    h(
      "p",
      { class: "lead" },
      jobs.some((j) => j.open_for_orders)
        ? "Select a photo to see it larger and to choose prints or downloads."
        : "Select a photo to see it larger.",
    ),
    ...sections,
    data.subjects.length === 0
      ? notice("info", "No photos yet", "There are no photos for this code yet. Please come back later.")
      : null,
    addChildLink(),
  );
}

function deadlineNote(jobs) {
  const open = jobs.filter((j) => j.open_for_orders);
  if (!open.length) return null;
  const parts = open
    .filter((j) => j.archive_date)
    .map((j) => `${open.length > 1 ? `${j.name}: y` : "Y"}ou can order until ${day(j.archive_date)}`);
  return parts.length ? h("p", { class: "deadline" }, `${parts.join("; ")}.`) : null;
}

function addChildLink() {
  return h(
    "p",
    { class: "add-child" },
    "Another child photographed by the same photographer? ",
    h("a", { href: "#/add" }, "Add their code"),
    " to order everything together.",
  );
}

function retryButton() {
  return h("button", { type: "button", class: "button", onclick: () => route() }, "Try again");
}

function subjectSection(s, showJob) {
  const jobInfo = job(s.job_id);
  const headingId = `subject-${s.subject_id}`;
  let portraits = 0;
  const items = s.photos.map((photo, index) => {
    const position = photo.kind === "group" ? null : ++portraits;
    const label = photoLabel(photo, s, position);
    return h(
      "li",
      null,
      h(
        "button",
        {
          type: "button",
          class: "thumb",
          "data-photo": photo.photo_id,
          "aria-label": `Open ${label}`,
          onclick: () => openViewer(s, index),
        },
        h("img", {
          src: photo.thumbnail_url,
          alt: "",
          width: photo.width ? Math.round((photo.width / Math.max(photo.width, photo.height)) * 400) : null,
          height: photo.height ? Math.round((photo.height / Math.max(photo.width, photo.height)) * 400) : null,
          loading: "lazy",
          decoding: "async",
          draggable: "false",
          onerror: imageFailed,
        }),
        photo.kind === "group" ? h("span", { class: "tag" }, "Class photo") : null,
      ),
    );
  });
  return h(
    "section",
    { class: "subject", "aria-labelledby": headingId },
    h(
      "h2",
      { id: headingId },
      s.first_name,
      h(
        "span",
        { class: "sub" },
        [s.class_name ? `Class ${s.class_name}` : null, showJob && jobInfo ? jobInfo.name : null]
          .filter(Boolean)
          .join(" · "),
      ),
    ),
    s.photos.length
      ? h("ul", { class: "grid", role: "list" }, items)
      : h("p", null, "No photos of this child yet."),
  );
}

// --- large view and product choice ---------------------------------------------------------

let current = null; // {subject, index}

function openViewer(s, index) {
  current = { subject: s, index };
  showPhoto();
  if (!viewer.open) viewer.showModal();
}

function closeViewer() {
  if (viewer.open) viewer.close();
}

viewer.addEventListener("close", () => {
  const photo = current && current.subject.photos[current.index];
  current = null;
  viewer.replaceChildren();
  if (photo) document.querySelector(`.thumb[data-photo="${CSS.escape(photo.photo_id)}"]`)?.focus();
});

viewer.addEventListener("click", (event) => {
  if (event.target === viewer) closeViewer(); // the backdrop
});

viewer.addEventListener("keydown", (event) => {
  if (!current) return;
  const target = event.target;
  const typing =
    target instanceof HTMLInputElement ||
    target instanceof HTMLSelectElement ||
    target instanceof HTMLTextAreaElement;
  if (typing) return; // arrows change radio buttons and numbers there
  if (event.key === "ArrowRight") {
    event.preventDefault();
    step(1);
  } else if (event.key === "ArrowLeft") {
    event.preventDefault();
    step(-1);
  }
});

function step(delta) {
  const next = current.index + delta;
  if (next < 0 || next >= current.subject.photos.length) return;
  current.index = next;
  const focusedNav = document.activeElement?.dataset?.nav;
  showPhoto();
  const again = viewer.querySelector(`[data-nav="${focusedNav}"]`);
  if (focusedNav && again && !again.disabled) again.focus();
  else viewer.querySelector(".viewer-image")?.focus();
}

function showPhoto() {
  const { subject: s, index } = current;
  const photo = s.photos[index];
  const total = s.photos.length;
  const portraitsBefore = s.photos.slice(0, index + 1).filter((p) => p.kind !== "group").length;
  const label = photoLabel(photo, s, portraitsBefore);
  const jobInfo = job(s.job_id);
  const image = h("img", {
    class: "viewer-image",
    src: photo.preview_url,
    alt: `${label} (preview with watermark)`,
    width: photo.width || null,
    height: photo.height || null,
    draggable: "false",
    tabindex: "-1",
    oncontextmenu: (event) => event.preventDefault(),
  });
  const prev = h(
    "button",
    { type: "button", class: "nav prev", "data-nav": "prev", "aria-label": "Previous photo", disabled: index === 0, onclick: () => step(-1) },
    "‹",
  );
  const next = h(
    "button",
    { type: "button", class: "nav next", "data-nav": "next", "aria-label": "Next photo", disabled: index === total - 1, onclick: () => step(1) },
    "›",
  );
  const panel = h("div", { class: "order-panel" }, h("p", { class: "loading" }, "Loading products…"));
  viewer.replaceChildren(
    h(
      "div",
      { class: "viewer" },
      h("div", { class: "viewer-stage" }, image, prev, next),
      h(
        "div",
        { class: "viewer-side" },
        h(
          "div",
          { class: "viewer-head" },
          h("h2", { id: "viewer-title" }, label, h("span", { class: "sub" }, `Photo ${index + 1} of ${total}`)),
          h("button", { type: "button", class: "close", "aria-label": "Close", onclick: closeViewer }, "×"),
        ),
        panel,
        h("p", { class: "hint keys" }, "Keyboard: ← → browse, Esc closes."),
      ),
    ),
  );
  viewer.setAttribute("aria-labelledby", "viewer-title");
  fillOrderPanel(panel, photo, s, jobInfo, label);
}

async function fillOrderPanel(panel, photo, s, jobInfo, label) {
  const photoId = photo.photo_id;
  if (jobInfo && !jobInfo.open_for_orders) {
    const { title, text } = closedMessage(jobInfo.closed_reason, jobInfo);
    panel.replaceChildren(notice("warning", title, text));
    return;
  }
  let list;
  try {
    list = await priceList(s.job_id);
  } catch (err) {
    if (current?.subject.photos[current.index]?.photo_id !== photoId) return;
    panel.replaceChildren(notice("error", null, `The products could not be loaded: ${err.message}`));
    return;
  }
  if (current?.subject.photos[current.index]?.photo_id !== photoId) return;
  if (!list.products.length) {
    panel.replaceChildren(notice("info", null, "There is nothing to order for this photo yet."));
    return;
  }
  const inCart = () =>
    cart.lines.filter((l) => l.photo_id === photoId).reduce((sum, l) => sum + l.quantity, 0);
  const result = h("p", { class: "added", role: "status" });
  const quantity = h("input", {
    id: "qty",
    name: "quantity",
    type: "number",
    min: "1",
    max: "99",
    value: "1",
    inputmode: "numeric",
    class: "qty",
  });
  const options = list.products.map((p, i) =>
    h(
      "label",
      { class: "product" },
      h("input", { type: "radio", name: "product", value: p.product_id, checked: i === 0 }),
      h("span", { class: "product-name" }, productTitle(p), productDetail(p, list) ? h("small", null, productDetail(p, list)) : null),
      h("span", { class: "price" }, money(p.price_minor, list.currency, list.currency_exponent)),
    ),
  );
  const form = h(
    "form",
    {
      class: "order-form",
      onsubmit: (event) => {
        event.preventDefault();
        const productId = form.elements.product.value;
        const product = list.products.find((p) => p.product_id === productId);
        const n = Math.min(99, Math.max(1, Number.parseInt(quantity.value, 10) || 1));
        addToCart({ job_id: s.job_id, photo_id: photoId, product_id: productId, quantity: n });
        result.textContent = `Added ${n} × ${productTitle(product)} to your cart.`;
        counter.textContent = inCartText(inCart());
      },
    },
    h("fieldset", null, h("legend", null, "Choose a product"), ...options),
    h(
      "div",
      { class: "row add-row" },
      h("label", { for: "qty" }, "Quantity"),
      quantity,
      h("button", { type: "submit", class: "button primary" }, "Add to cart"),
    ),
    result,
  );
  const inCartText = (n) => (n ? `${plural(n, "item", "items")} of this photo in your cart. ` : "");
  const counter = h("span", null, inCartText(inCart()));
  panel.replaceChildren(form, h("p", { class: "to-cart" }, counter, h("a", { href: "#/cart" }, "Go to cart")));
}

// "Print 13x18": the size belongs to the name people see (two prints differ only by it).
function productTitle(p) {
  if (p.size && !p.name.includes(p.size)) return `${p.name} ${p.size}`;
  return p.name;
}

function productDetail(p, list) {
  if (p.kind === "package" && p.items?.length) {
    return p.items
      .map((i) => {
        const part = list.products.find((x) => x.product_id === i.product_id);
        return `${i.quantity ?? 1} × ${part ? productTitle(part) : i.name}`;
      })
      .join(", ");
  }
  if (p.kind === "download") return "Download link by email once paid";
  return "";
}

// --- cart ----------------------------------------------------------------------------------

function saveCart() {
  store.saveCart(cart);
  updateChrome();
  cartChanged(session, cart);
}

function addToCart(line) {
  const existing = cart.lines.find(
    (l) => l.photo_id === line.photo_id && l.product_id === line.product_id && l.job_id === line.job_id,
  );
  if (existing) existing.quantity = Math.min(99, existing.quantity + line.quantity);
  else cart.lines.push(line);
  saveCart();
  announce(`Your cart has ${plural(cart.lines.reduce((n, l) => n + l.quantity, 0), "item", "items")}.`);
}

function pruneCart() {
  // Photos that are no longer shown (another session, a rebuilt gallery) leave the cart.
  if (!gallery) return;
  const photos = photoIndex();
  const before = cart.lines.length;
  cart.lines = cart.lines.filter((l) => photos.has(l.photo_id));
  if (cart.lines.length !== before) saveCart();
}

function cartGroups() {
  const groups = new Map();
  for (const line of cart.lines) {
    if (!groups.has(line.job_id)) groups.set(line.job_id, []);
    groups.get(line.job_id).push(line);
  }
  return groups;
}

async function cartView() {
  if (!signedIn()) return go("#/login");
  const id = renderId;
  if (!cart.lines.length) {
    return render(
      "Your cart",
      h("p", { class: "lead" }, "Your cart is empty."),
      h("p", null, h("a", { class: "button primary", href: "#/gallery" }, "Choose photos")),
    );
  }
  loading("Loading your cart…");
  const groups = cartGroups();
  let lists;
  try {
    await loadGallery().catch(() => null);
    lists = new Map(await Promise.all([...groups.keys()].map(async (j) => [j, await priceList(j)])));
  } catch (err) {
    if (id !== renderId) return;
    return render("Your cart", notice("error", "Your cart could not be loaded", err.message, retryButton()));
  }
  if (id !== renderId) return;
  const quotes = new Map(
    await Promise.all([...groups].map(async ([jobId, lines]) => [jobId, await quoteCart(jobId, lines)])),
  );
  if (id !== renderId) return;
  const photos = photoIndex();
  const many = groups.size > 1;
  const sections = [...cartGroups()].map(([jobId, lines]) =>
    cartSection(jobId, lines, lists.get(jobId), photos, many, quotes.get(jobId)),
  );
  render(
    "Your cart",
    ...sections,
    h("p", null, h("a", { href: "#/gallery" }, "Continue choosing photos")),
  );
}

// The server's price of a job's cart with its voucher (POST /shop/quote): {priced} or, when the
// voucher cannot be used, {refused: the API's reason}; null when it cannot be asked (closed job,
// no connection): the cart then shows the list prices and the voucher is checked at checkout.
async function quoteCart(jobId, lines) {
  const jobInfo = job(jobId);
  if (!jobInfo || !jobInfo.open_for_orders) return null;
  try {
    const priced = await shop("POST", "/quote", {
      body: {
        job_id: jobId,
        lines: lines.map(({ photo_id, product_id, quantity }) => ({ photo_id, product_id, quantity })),
        voucher: cart.vouchers[jobId] || null,
      },
    });
    return { priced };
  } catch (err) {
    if (err instanceof ApiError && err.status === 422 && err.code === "voucher_refused") return { refused: err.body };
    return null;
  }
}

function lineInfo(line, list, photos) {
  const product = list.products.find((p) => p.product_id === line.product_id);
  const entry = photos.get(line.photo_id);
  let label = "Photo";
  if (entry) {
    const portraits = entry.subject.photos.filter((p) => p.kind !== "group");
    label = photoLabel(entry.photo, entry.subject, portraits.indexOf(entry.photo) + 1);
  }
  return { product, entry, label };
}

function subtotal(lines, list) {
  return lines.reduce((sum, l) => {
    const product = list.products.find((p) => p.product_id === l.product_id);
    return sum + (product ? product.price_minor * l.quantity : 0);
  }, 0);
}

function cartSection(jobId, lines, list, photos, many, quote) {
  const jobInfo = job(jobId);
  const fmt = (minor) => money(minor, list.currency, list.currency_exponent);
  const rows = lines.map((line) => {
    const { product, entry, label } = lineInfo(line, list, photos);
    if (!product) return null;
    const qtyId = `qty-${line.photo_id}-${line.product_id}`;
    return h(
      "li",
      { class: "cart-line" },
      entry
        ? h("img", { src: entry.photo.thumbnail_url, alt: "", class: "cart-thumb", width: 96, height: 96, onerror: imageFailed })
        : h("span", { class: "cart-thumb" }),
      h(
        "div",
        { class: "cart-what" },
        h("strong", null, productTitle(product)),
        h("span", null, label),
        h("span", { class: "unit" }, `${fmt(product.price_minor)} each`),
      ),
      h(
        "div",
        { class: "cart-qty" },
        h("label", { for: qtyId, class: "visually-hidden" }, `Quantity of ${productTitle(product)}, ${label}`),
        h("input", {
          id: qtyId,
          type: "number",
          min: "1",
          max: "99",
          value: String(line.quantity),
          inputmode: "numeric",
          class: "qty",
          onchange: (event) => {
            const n = Number.parseInt(event.target.value, 10);
            line.quantity = Math.min(99, Math.max(1, Number.isFinite(n) ? n : 1));
            saveCart();
            rerenderKeepingFocus(qtyId);
          },
        }),
      ),
      h("span", { class: "cart-total" }, fmt(product.price_minor * line.quantity)),
      h(
        "button",
        {
          type: "button",
          class: "link-button",
          "aria-label": `Remove ${productTitle(product)}, ${label}`,
          onclick: () => {
            cart.lines = cart.lines.filter((l) => l !== line);
            saveCart();
            announce(`Removed ${productTitle(product)}.`);
            rerenderKeepingFocus(null);
          },
        },
        "Remove",
      ),
    );
  });
  const voucher = cart.vouchers[jobId] || "";
  const voucherInput = h("input", {
    id: `voucher-${jobId}`,
    name: "voucher",
    type: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    value: voucher,
    class: "voucher-input",
  });
  const voucherForm = h(
    "form",
    {
      class: "voucher",
      onsubmit: (event) => {
        event.preventDefault();
        const code = voucherInput.value.trim().toUpperCase();
        if (code) cart.vouchers[jobId] = code;
        else delete cart.vouchers[jobId];
        saveCart();
        rerenderKeepingFocus(`voucher-${jobId}`);
        announce(code ? `Voucher ${code} added.` : "Voucher removed.");
      },
    },
    h("label", { for: `voucher-${jobId}` }, "Voucher code"),
    h("div", { class: "row" }, voucherInput, h("button", { type: "submit", class: "button" }, "Apply")),
    voucher
      ? h(
          "p",
          { class: quote?.refused ? "voucher-note voucher-refused" : "voucher-note", role: quote?.refused ? "alert" : null },
          voucherNote(voucher, quote, list, fmt),
          h(
            "button",
            {
              type: "button",
              class: "link-button",
              onclick: () => {
                delete cart.vouchers[jobId];
                saveCart();
                rerenderKeepingFocus(`voucher-${jobId}`);
              },
            },
            "Remove voucher",
          ),
        )
      : null,
  );
  const closed = jobInfo && !jobInfo.open_for_orders;
  return h(
    "section",
    { class: "cart-group", "aria-label": many && jobInfo ? jobInfo.name : "Cart" },
    many && jobInfo ? h("h2", null, jobInfo.name) : null,
    h("ul", { class: "cart-lines", role: "list" }, rows),
    cartTotals(lines, list, quote, fmt),
    closed ? notice("warning", closedMessage(jobInfo.closed_reason, jobInfo).title, closedMessage(jobInfo.closed_reason, jobInfo).text) : voucherForm,
    closed
      ? null
      : h(
          "p",
          { class: "actions" },
          h("a", { class: "button primary", href: `#/checkout/${encodeURIComponent(jobId)}` }, "Go to checkout"),
        ),
  );
}

function voucherNote(voucher, quote, list, fmt) {
  if (quote?.refused) return `Voucher ${voucher} cannot be used: ${voucherMessage(quote.refused, list)} `;
  if (quote?.priced?.voucher) return `Voucher ${quote.priced.voucher} saves ${fmt(quote.priced.discount_minor)}. `;
  return `Voucher ${voucher} is checked when you place the order; the discount then shows in the total. `;
}

function cartTotals(lines, list, quote, fmt) {
  const priced = quote?.priced;
  if (!priced) return h("dl", { class: "totals" }, h("dt", null, "Subtotal"), h("dd", null, fmt(subtotal(lines, list))));
  return h(
    "dl",
    { class: "totals" },
    h("dt", null, "Subtotal"),
    h("dd", null, fmt(priced.subtotal_minor)),
    priced.discount_minor
      ? [h("dt", null, `Voucher ${priced.voucher}`), h("dd", { class: "cart-discount" }, `−${fmt(priced.discount_minor)}`)]
      : null,
    h("dt", { class: "grand" }, "Total"),
    h("dd", { class: "grand cart-grand-total" }, fmt(priced.total_minor)),
  );
}

async function rerenderKeepingFocus(focusId) {
  await refresh();
  const target = focusId && document.getElementById(focusId);
  if (target) target.focus();
  else main.querySelector("h1")?.focus();
}

// --- checkout ------------------------------------------------------------------------------

const VOUCHER_REASONS = {
  unknown: "We don't know this voucher code. Please check it.",
  wrong_job: "This voucher is not valid for these photos.",
  currency_mismatch: "This voucher cannot be used for these prices.",
  expired: "This voucher has expired.",
  already_used: "This voucher has already been used with this code.",
  below_minimum: "Your order is below the minimum amount for this voucher.",
};

function voucherMessage(body, list) {
  let text = VOUCHER_REASONS[body.reason] || body.message || "This voucher cannot be used.";
  if (body.reason === "expired" && body.valid_until) text = `This voucher was valid until ${day(body.valid_until)}.`;
  if (body.reason === "below_minimum" && body.min_order_minor != null)
    text = `This voucher needs an order of at least ${money(body.min_order_minor, list.currency, list.currency_exponent)}.`;
  return text;
}

async function checkoutView(jobId) {
  if (!signedIn()) return go("#/login");
  const id = renderId;
  const lines = cart.lines.filter((l) => l.job_id === jobId);
  const jobInfo = job(jobId);
  if (!lines.length || !jobInfo) return go("#/cart");
  loading("Loading…");
  let list;
  let quote;
  try {
    await loadGallery().catch(() => null);
    list = await priceList(jobId);
    quote = await quoteCart(jobId, lines);
  } catch (err) {
    if (id !== renderId) return;
    return render("Checkout", notice("error", null, err.message, retryButton()));
  }
  if (id !== renderId) return;
  const fmt = (minor) => money(minor, list.currency, list.currency_exponent);
  const voucher = cart.vouchers[jobId] || null;
  const contact = store.loadContact();
  const message = h("div", { class: "form-message" });
  const submit = h("button", { type: "submit", class: "button primary" }, "Place order");
  const photos = photoIndex();
  const count = lines.reduce((n, l) => n + l.quantity, 0);

  const form = h(
    "form",
    {
      class: "card",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        message.replaceChildren();
        if (!checkRequired(form)) return;
        const data = Object.fromEntries(new FormData(form));
        const contactBody = { name: data.name.trim(), email: data.email.trim(), phone: data.phone.trim() || null };
        store.saveContact({ ...contactBody, phone: contactBody.phone || "" });
        submit.disabled = true;
        submit.textContent = "Placing your order…";
        let order;
        try {
          order = await shop("POST", "/orders", {
            body: {
              job_id: jobId,
              lines: lines.map(({ photo_id, product_id, quantity }) => ({ photo_id, product_id, quantity })),
              voucher,
              contact: contactBody,
            },
          });
        } catch (err) {
          submit.disabled = false;
          submit.textContent = "Place order";
          orderFailed(err, form, message, list, jobInfo);
          return;
        }
        store.saveOrder(order);
        cart.lines = cart.lines.filter((l) => l.job_id !== jobId);
        delete cart.vouchers[jobId];
        saveCart();
        if (order.payment?.method === "stripe" && order.payment.checkout_url) {
          loading("Taking you to the payment page…");
          window.location.assign(order.payment.checkout_url);
          return;
        }
        go(`#/order/${encodeURIComponent(order.order_id)}`);
      },
    },
    h("h2", null, "Your contact details"),
    h("p", { class: "hint" }, "The photographer uses them for this order only, e.g. to send the download links or payment details."),
    field({ name: "name", label: "Full name", autocomplete: "name", required: true, value: contact.name }),
    field({ name: "email", label: "Email", type: "email", autocomplete: "email", required: true, value: contact.email }),
    field({ name: "phone", label: "Phone", type: "tel", autocomplete: "tel", required: false, value: contact.phone }),
    message,
    h("p", { class: "hint" }, "The final price is calculated by the shop when you place the order."),
    h("div", { class: "actions" }, submit, h("a", { class: "button", href: "#/cart" }, "Back to cart")),
  );

  render(
    "Checkout",
    h(
      "section",
      { class: "card summary", "aria-labelledby": "summary-title" },
      h("h2", { id: "summary-title" }, "Your order"),
      h("p", null, `${plural(count, "item", "items")} for ${jobInfo.name}`),
      h(
        "ul",
        { class: "summary-lines", role: "list" },
        lines.map((line) => {
          const { product, label } = lineInfo(line, list, photos);
          if (!product) return null;
          return h(
            "li",
            null,
            h("span", null, `${line.quantity} × ${productTitle(product)}`, h("small", null, label)),
            h("span", null, fmt(product.price_minor * line.quantity)),
          );
        }),
      ),
      quote?.priced
        ? cartTotals(lines, list, quote, fmt)
        : h(
            "dl",
            { class: "totals" },
            h("dt", null, "Subtotal"),
            h("dd", null, fmt(subtotal(lines, list))),
            voucher ? [h("dt", null, "Voucher"), h("dd", null, voucher)] : null,
          ),
      quote?.refused
        ? notice(
            "warning",
            "The voucher cannot be used",
            voucherMessage(quote.refused, list),
            h("p", null, h("a", { href: "#/cart" }, "Change or remove the voucher in your cart")),
          )
        : null,
      !jobInfo.open_for_orders
        ? notice("warning", closedMessage(jobInfo.closed_reason, jobInfo).title, closedMessage(jobInfo.closed_reason, jobInfo).text)
        : null,
    ),
    form,
  );
}

function orderFailed(err, form, message, list, jobInfo) {
  if (!(err instanceof ApiError)) {
    message.replaceChildren(notice("error", "Your order was not placed", err.message));
    return;
  }
  if (err.status === 409 && err.code === "not_open_for_orders") {
    const reason = err.body.reason || "selling_closed";
    const { title, text } = closedMessage(reason, jobInfo);
    jobInfo.open_for_orders = false;
    jobInfo.closed_reason = reason;
    store.saveSession(session);
    message.replaceChildren(notice("error", title, text));
    return;
  }
  if (err.status === 422 && err.code === "voucher_refused") {
    message.replaceChildren(
      notice(
        "error",
        "The voucher cannot be used",
        voucherMessage(err.body, list),
        h("p", null, h("a", { href: "#/cart" }, "Change or remove the voucher in your cart")),
      ),
    );
    return;
  }
  if (err.status === 400 && showFieldErrors(form, err)) return;
  if (err.status === 404 || err.status === 400) {
    message.replaceChildren(
      notice(
        "error",
        "Your order was not placed",
        "Some items in your cart are no longer available. Please check your cart.",
        h("p", null, h("a", { href: "#/cart" }, "Back to cart")),
      ),
    );
    gallery = null;
    priceLists.delete(jobInfo.job_id);
    return;
  }
  message.replaceChildren(notice("error", "Your order was not placed", err.message));
}

function photoCaption(photoId) {
  const entry = photoIndex().get(photoId);
  if (!entry) return null;
  const portraits = entry.subject.photos.filter((p) => p.kind !== "group");
  return h("small", null, photoLabel(entry.photo, entry.subject, portraits.indexOf(entry.photo) + 1));
}

// --- order confirmation --------------------------------------------------------------------

const stripePolls = new Map(); // order_id -> how often its page looked for the payment

const ORDER_STATUS = {
  pending_payment: "Waiting for payment",
  paid: "Paid",
  cancelled: "Cancelled",
  fulfilled: "Completed",
};

async function orderView(orderId) {
  if (!signedIn()) return go("#/login");
  const id = renderId;
  let order = store.loadOrder(orderId);
  if (!order) loading("Loading your order…");
  try {
    order = { ...order, ...(await shop("GET", `/orders/${encodeURIComponent(orderId)}`)) };
    store.saveOrder(order);
  } catch (err) {
    if (id !== renderId) return;
    if (!order) return render("Your order", notice("error", "The order could not be loaded", err.message, retryButton()));
  }
  if (id !== renderId) return;
  const currency = order.currency;
  let list = null;
  try {
    list = await priceList(order.job_id);
  } catch {
    list = null; // names and the exponent then come from the order and Intl
  }
  const exponent = list?.currency_exponent;
  if (id !== renderId) return;
  const fmt = (minor) => money(minor, currency, exponent);
  const names = new Map((list?.products || []).map((p) => [p.product_id, productTitle(p)]));
  const productName = (line) => names.get(line.product_id) || line.name || line.product_id;
  const voucherCode = typeof order.voucher === "string" ? order.voucher : order.voucher?.code;
  const jobInfo = job(order.job_id);
  const method = order.payment?.method || "offline";
  const paid = order.status === "paid" || order.status === "fulfilled";
  const statusText = ORDER_STATUS[order.status] || order.status;
  let downloads = null;
  if (paid && order.has_downloads) {
    try {
      downloads = await shop("GET", `/orders/${encodeURIComponent(orderId)}/downloads`);
    } catch (err) {
      downloads = { error: err.message };
    }
    if (id !== renderId) return;
  }
  render(
    order.status === "cancelled" ? "Your order was cancelled" : "Thank you for your order",
    h(
      "section",
      { class: "card summary", "aria-labelledby": "order-title" },
      h("h2", { id: "order-title" }, "Order ", h("span", { class: "order-id" }, order.order_id)),
      h("p", null, `${jobInfo ? `${jobInfo.name} · ` : ""}Status: `, h("strong", { class: "order-status" }, statusText)),
      h(
        "ul",
        { class: "summary-lines", role: "list" },
        (order.lines || []).map((line) =>
          h(
            "li",
            null,
            h("span", null, `${line.quantity} × ${productName(line)}`, photoCaption(line.photo_id)),
            h("span", null, fmt(line.total_minor ?? line.line_total_minor ?? (line.unit_price_minor || 0) * line.quantity)),
          ),
        ),
      ),
      h(
        "dl",
        { class: "totals" },
        h("dt", null, "Subtotal"),
        h("dd", null, fmt(order.subtotal_minor)),
        order.discount_minor
          ? [h("dt", null, `Voucher${voucherCode ? ` ${voucherCode}` : ""}`), h("dd", null, `−${fmt(order.discount_minor)}`)]
          : null,
        h("dt", { class: "grand" }, "Total"),
        h("dd", { class: "grand order-total" }, fmt(order.total_minor)),
      ),
    ),
    paymentSection(order, method, paid, fmt),
    downloads ? downloadsSection(downloads) : null,
    h("p", null, h("a", { href: "#/gallery" }, "Back to the photos")),
  );
}

function paymentSection(order, method, paid, fmt) {
  if (order.status === "cancelled") return notice("info", null, "This order was cancelled. Nothing is due.");
  if (paid) {
    return notice(
      "success",
      "Payment received",
      order.has_downloads
        ? "Thank you. Your digital files are ready below; anything printed is being prepared."
        : "Thank you. Your order is being prepared.",
    );
  }
  if (method === "stripe") {
    // Back from Stripe's page, the payment is confirmed by Stripe's webhook: look again shortly.
    const polls = (stripePolls.get(order.order_id) || 0) + 1;
    stripePolls.set(order.order_id, polls);
    if (polls <= 12) {
      const id = renderId;
      setTimeout(() => id === renderId && refresh(), 5000);
    }
    return notice(
      "info",
      "Payment not completed yet",
      polls <= 12
        ? "If you have just paid, the confirmation arrives in a few seconds: this page updates itself."
        : "Your order is reserved until you pay.",
      payNowButton(order),
    );
  }
  return h(
    "section",
    { class: "card pay-later", "aria-labelledby": "pay-title" },
    h("h2", { id: "pay-title" }, "Pay later"),
    h(
      "p",
      null,
      `Please pay ${fmt(order.total_minor)} as your photographer or school tells you (for example in cash at school or by bank transfer), quoting your order number `,
      h("strong", null, order.order_id),
      ".",
    ),
    h(
      "p",
      null,
      "Your order is produced once the photographer has marked it as paid. You can come back to this page to see its status.",
    ),
  );
}

// A Stripe checkout page lives 24 hours: "Pay now" asks the shop for a fresh one for the same
// order (POST /orders/<id>/payment) and goes there.
function payNowButton(order) {
  const message = h("div", { class: "pay-now-message" });
  const button = h("button", { type: "button", class: "button primary pay-now" }, "Pay now");
  button.addEventListener("click", async () => {
    button.disabled = true;
    message.replaceChildren();
    let started;
    try {
      started = await shop("POST", `/orders/${encodeURIComponent(order.order_id)}/payment`);
    } catch (err) {
      button.disabled = false;
      const closed = err instanceof ApiError && err.code === "not_open_for_orders";
      const text = closed ? "The shop has closed: this order can no longer be paid online." : err.message;
      message.replaceChildren(notice("error", "The payment could not be started", text));
      return;
    }
    store.saveOrder(started);
    if (started.payment?.checkout_url) {
      loading("Taking you to the payment page…");
      window.location.assign(started.payment.checkout_url);
      return;
    }
    refresh();
  });
  return h("div", null, h("p", null, button), message);
}

// The originals a paid order bought as files: links that work for a few minutes (the page asks
// for new ones whenever it is shown again).
function downloadsSection(found) {
  if (found.error) {
    return notice("error", "Your downloads could not be loaded", found.error, retryButton());
  }
  const minutes = Math.max(1, Math.floor((found.url_expires_in || 600) / 60));
  return h(
    "section",
    { class: "card downloads", "aria-labelledby": "downloads-title" },
    h("h2", { id: "downloads-title" }, "Your digital files"),
    h(
      "ul",
      { class: "download-list", role: "list" },
      (found.files || []).map((file) =>
        h(
          "li",
          null,
          h("a", { class: "button download-link", href: file.url, download: file.file_name }, `Download ${file.file_name}`),
          photoCaption(file.photo_id),
        ),
      ),
    ),
    found.unavailable?.length
      ? h("p", { class: "hint" }, `${plural(found.unavailable.length, "file is", "files are")} no longer available; please contact your photographer.`)
      : null,
    h(
      "p",
      { class: "hint" },
      `For your privacy these links work for ${plural(minutes, "minute", "minutes")}. `,
      h("button", { type: "button", class: "link-button", onclick: () => refresh() }, "Get new links"),
    ),
  );
}

// --- router --------------------------------------------------------------------------------

const ROUTES = [
  [/^\/?$/, () => go(signedIn() ? "#/gallery" : "#/login")],
  [/^\/login$/, loginView],
  [/^\/add$/, addChildView],
  [/^\/register$/, registerView],
  [/^\/gallery$/, galleryView],
  [/^\/cart$/, cartView],
  [/^\/checkout\/([^/]+)$/, (j) => checkoutView(decodeURIComponent(j))],
  [/^\/order\/([^/]+)$/, (o) => orderView(decodeURIComponent(o))],
];

async function route() {
  const hash = location.hash;
  if (hash && !hash.startsWith("#/")) return; // an in-page link such as "skip to content"
  renderId += 1;
  if (viewer.open) viewer.close();
  const path = hash.slice(1) || "/";
  const match = ROUTES.map(([pattern, view]) => [path.match(pattern), view]).find(([m]) => m);
  updateChrome();
  try {
    if (!match) return go("#/");
    await match[1](...match[0].slice(1));
  } catch (err) {
    console.error(err);
    render("Something went wrong", notice("error", null, err.message || String(err), retryButton()));
  }
}

document.getElementById("sign-out").addEventListener("click", () => {
  store.clearAll();
  cart = store.loadCart();
  endSession(null);
  flash = { kind: "info", text: "You are signed out. Your cart was emptied." };
  go("#/login");
});

async function boot() {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  if (code) {
    // The code leaves the address bar (and the browser history) at once.
    params.delete("code");
    const rest = params.toString();
    history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
    loading("Opening your photos…");
    try {
      if (signedIn()) await addCode(code.trim());
      else await startSession(code.trim());
    } catch (err) {
      if (!(err instanceof ApiError || err instanceof NetworkError)) throw err;
      const { text, wait } = codeError(err);
      if (wait) store.setWaitUntil(Date.now() + wait * 1000);
      flash = { kind: "error", text };
      if (!signedIn()) {
        go("#/login");
        return;
      }
    }
    afterSignIn();
    return;
  }
  route();
}

window.addEventListener("hashchange", () => route());
updateChrome();
boot();
