// The console talks to the public admin API only, with the session cookie and the session's CSRF token.

/** An error answer of the admin API: its stable code (worded by the console) and the field it is about. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string | undefined,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Fired when the API says the session is over, so the shell goes back to the sign-in screen. */
export const SESSION_ENDED = "console:session-ended";

async function request(method: string, path: string, body?: unknown, raw?: BodyInit, type?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let payload: BodyInit | undefined = raw;
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  } else if (raw !== undefined && type) {
    headers["content-type"] = type;
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload ?? null, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network", undefined, "network error");
  }
  if (res.ok) return res;
  let parsed: Record<string, unknown> = {};
  try {
    parsed = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON: the status code is all we have
  }
  const code = typeof parsed.code === "string" ? parsed.code : `http_${res.status}`;
  const field = typeof parsed.field === "string" ? parsed.field : undefined;
  const message = typeof parsed.error === "string" ? parsed.error : res.statusText;
  const extra = Object.fromEntries(Object.entries(parsed).filter(([key]) => !["code", "field", "error"].includes(key)));
  if (res.status === 401 && (code === "session_expired" || code === "unauthenticated") && !path.startsWith("/api/admin/session")) {
    window.dispatchEvent(new Event(SESSION_ENDED));
  }
  throw new ApiError(res.status, code, field, message, extra);
}

/** A JSON call; 204 gives undefined. */
export async function api<T>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Sends a file's bytes as the body (registry uploads). */
export async function upload<T>(path: string, file: Blob, type: string): Promise<T> {
  const res = await request("POST", path, undefined, file, type);
  return (await res.json()) as T;
}

/** Downloads an export (CSV, XLSX) under the name the server gives, or `fallbackName`. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await request("GET", path);
  const blob = await res.blob();
  const disposition = res.headers.get("content-disposition") ?? "";
  const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = named ? decodeURIComponent(named) : fallbackName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** A query string from the defined values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
