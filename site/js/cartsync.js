// The cart on the server: a registered customer's cart is saved (PUT /shop/cart, debounced)
// on every change, so that it follows them to another device and the photographer's
// "you left something in your cart" reminder knows about it. The cart in this tab
// (sessionStorage, see store.js) stays the one the pages work with, also offline; a session
// that did not register keeps its cart in this tab only.

import { call } from "./api.js";

const SAVE_DELAY_MS = 1200;
const timers = new Map(); // job_id -> pending save
const saved = new Map(); // job_id -> the lines last saved (JSON), to skip saves that change nothing

function registeredJobs(session) {
  return (session?.jobs || []).filter((j) => j.registered).map((j) => j.job_id);
}

function linesOf(cart, jobId) {
  return cart.lines
    .filter((l) => l.job_id === jobId)
    .map(({ photo_id, product_id, quantity }) => ({ photo_id, product_id, quantity }));
}

async function save(token, jobId, lines, key) {
  timers.delete(jobId);
  try {
    await call("PUT", "/cart", { body: { job_id: jobId, lines }, token });
    saved.set(jobId, key);
  } catch (err) {
    // Offline, or the session ended: the cart stays in this tab; the next change tries again.
    console.warn("the cart could not be saved on the server", err);
  }
}

// After every change of the cart: save the lines of each job the session registered for.
export function cartChanged(session, cart) {
  if (!session?.token) return;
  for (const jobId of registeredJobs(session)) {
    const lines = linesOf(cart, jobId);
    const key = JSON.stringify(lines);
    clearTimeout(timers.get(jobId));
    timers.delete(jobId);
    if (saved.get(jobId) === key) continue;
    const token = session.token;
    timers.set(jobId, setTimeout(() => save(token, jobId, lines, key), SAVE_DELAY_MS));
  }
}

// After signing in or registering: a job whose cart is empty in this tab gets the lines saved
// from another device. Returns whether the cart changed (the caller saves and redraws it).
export async function restoreCart(session, cart) {
  let changed = false;
  for (const jobId of registeredJobs(session)) {
    if (linesOf(cart, jobId).length) continue; // this tab's cart is the newer one: it is saved
    try {
      const stored = await call("GET", "/cart", { query: { job_id: jobId }, token: session.token });
      const lines = stored.lines || [];
      saved.set(jobId, JSON.stringify(lines));
      if (!lines.length || linesOf(cart, jobId).length) continue;
      cart.lines.push(...lines.map((l) => ({ job_id: jobId, ...l })));
      changed = true;
    } catch (err) {
      console.warn("the saved cart could not be loaded", err);
    }
  }
  return changed;
}
