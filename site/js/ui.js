// Small DOM and formatting helpers. Text is always inserted as text, never as HTML.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on") && typeof value === "function")
      el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "value") el.value = value;
    else if (key === "checked") el.checked = Boolean(value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const LOCALE = navigator.language || "en";
const formatters = new Map();

function currencyFormatter(currency) {
  if (!formatters.has(currency)) {
    formatters.set(currency, new Intl.NumberFormat(LOCALE, { style: "currency", currency }));
  }
  return formatters.get(currency);
}

// Minor units (integer cents) to a price in the job's currency: 1250 EUR -> "€12.50".
export function money(minor, currency, exponent) {
  if (minor === null || minor === undefined || !currency) return "";
  const format = currencyFormatter(currency);
  const digits = Number.isInteger(exponent) ? exponent : format.resolvedOptions().maximumFractionDigits;
  return format.format(minor / 10 ** digits);
}

// A calendar day "2026-10-31" (no time zone: it is the job's local day) for people.
export function day(iso) {
  if (!iso) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!match) return iso;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "long", year: "numeric" }).format(date);
}

export function duration(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  const minutes = `${m} minute${m === 1 ? "" : "s"}`;
  return rest ? `${minutes} ${rest} second${rest === 1 ? "" : "s"}` : minutes;
}

export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
