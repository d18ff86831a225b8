// What the shop keeps in this browser tab (sessionStorage: gone when the tab closes).

const KEYS = {
  session: "photojobs.session",
  cart: "photojobs.cart",
  skipped: "photojobs.registrationSkipped",
  contact: "photojobs.contact",
  orders: "photojobs.orders",
  wait: "photojobs.waitUntil",
};

function read(key, fallback) {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? JSON.parse(raw) : fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    if (value === null || value === undefined) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or disabled: the shop still works for this page view
  }
}

export function sessionExpired(session) {
  return !session || !session.token || (session.expires_at && Date.parse(session.expires_at) <= Date.now());
}

export const loadSession = () => read(KEYS.session, null);
export const saveSession = (session) => write(KEYS.session, session);

export function loadCart() {
  const cart = read(KEYS.cart, null);
  if (!cart || !Array.isArray(cart.lines)) return { lines: [], vouchers: {} };
  cart.vouchers = cart.vouchers || {};
  return cart;
}
export const saveCart = (cart) => write(KEYS.cart, cart);

export const skippedRegistrations = () => read(KEYS.skipped, []);
export const skipRegistration = (jobId) =>
  write(KEYS.skipped, [...new Set([...skippedRegistrations(), jobId])]);

export const loadContact = () => read(KEYS.contact, {});
export const saveContact = (contact) => write(KEYS.contact, contact);

export const loadOrder = (orderId) => read(KEYS.orders, {})[orderId] || null;
export function saveOrder(order) {
  const orders = read(KEYS.orders, {});
  orders[order.order_id] = order;
  write(KEYS.orders, orders);
}

export const waitUntil = () => read(KEYS.wait, 0);
export const setWaitUntil = (when) => write(KEYS.wait, when);

export function clearAll() {
  for (const key of Object.values(KEYS)) write(key, null);
}
