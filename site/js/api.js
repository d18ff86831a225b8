// The shop API client: JSON in and out, errors as ApiError with the API's error code.
// The API's base address comes from /config.js (window.PHOTOJOBS.apiUrl), written by whatever
// serves the site: `make run` locally, the deployment in production.

const config = window.PHOTOJOBS || {};
const BASE = String(config.apiUrl || "").replace(/\/+$/, "");
// The shop routes live under this prefix of the API (the admin routes under /api).
const SHOP = config.shopPath || "/shop";

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super((body && body.message) || `The shop answered ${status}.`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.error || `http_${status}`;
    this.retryAfter = retryAfter;
  }
}

export class NetworkError extends Error {}

export async function call(method, path, { body, token, query } = {}) {
  let url = `${BASE}${SHOP}${path}`;
  if (query) {
    const params = new URLSearchParams(query);
    url += `?${params}`;
  }
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch (err) {
    throw new NetworkError("The shop cannot be reached. Please check your connection and try again.");
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { message: text };
    }
  }
  if (!response.ok) {
    const header = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    const fromBody = data && Number.isFinite(data.retry_after) ? data.retry_after : NaN;
    const retryAfter = Number.isFinite(fromBody) ? fromBody : Number.isFinite(header) ? header : null;
    throw new ApiError(response.status, data, retryAfter);
  }
  return data;
}
