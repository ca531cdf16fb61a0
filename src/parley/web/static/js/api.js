// Calls to Parley's public APIs, with the key the user gave for this browser session.

const KEY = "parley.key";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function key() {
  return sessionStorage.getItem(KEY) || "";
}

export function setKey(value) {
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

function headers(extra = {}) {
  const out = { ...extra };
  if (key()) out.authorization = `Bearer ${key()}`;
  return out;
}

// A failed call's message, from any of the error shapes Parley answers with.
async function failure(response) {
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = await response.json();
    message = body.error?.message || body.detail || message;
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(response.status, message);
}

export async function request(path, { method = "GET", json, body, signal } = {}) {
  const init = { method, headers: headers(), signal };
  if (json !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "The server cannot be reached. Check that parley serve is running.");
  }
  if (!response.ok) throw await failure(response);
  return response;
}

export async function getJson(path, options) {
  return (await request(path, options)).json();
}

// The audio of a history record, as a URL the page's audio elements can play.
export async function audioUrl(path) {
  const blob = await (await request(path)).blob();
  return URL.createObjectURL(blob);
}

export function websocketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

export function seconds(duration) {
  // Google's JSON durations: "1.500s".
  return duration ? parseFloat(String(duration).replace(/s$/, "")) : 0;
}

export function clock(value) {
  const total = Math.max(0, value);
  const minutes = Math.floor(total / 60);
  const rest = (total - minutes * 60).toFixed(1).padStart(4, "0");
  return `${minutes}:${rest}`;
}
