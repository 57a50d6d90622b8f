/**
 * Talking to a running test hub as a person would for the accounts tests: JSON
 * over real HTTP with a session cookie, and the realtime WebSocket, whose
 * close code says why the hub ended it.
 */
import { WebSocket } from "ws";
import type { TestHub } from "./test-hub.ts";

export interface AccountBody {
  id: number;
  username: string;
  displayName: string;
  role: string;
  language: string;
  contact: string | null;
  worker: { id: number; code: string; name: string } | null;
  disabled: boolean;
  mustChangePassword: boolean;
}

/** What the accounts routes answer, loosely: each test reads the parts its route has. */
export interface Body {
  code?: string;
  message?: string;
  errors?: { field: string; message: string }[];
  user?: AccountBody;
  users?: AccountBody[];
  oneTimePassword?: string | null;
  entries?: { actor: string; action: string; target: string | null }[];
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Body;
}

export function client(th: TestHub) {
  return async function call(method: string, url: string, cookie: string | null, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${th.httpUrl}${url}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Body) : {} };
  };
}

/** Logs in over HTTP; the cookie, or the refusal's status. */
export async function tryLogin(th: TestHub, username: string, password: string): Promise<string | number> {
  const response = await fetch(`${th.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) return response.status;
  return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

export interface OpenSocket {
  socket: WebSocket;
  /** Resolves with the close code once the hub (or anyone) closes the socket. */
  closed: Promise<number>;
  /** A ping answered: proof the hub still holds the socket open after everything it was sent before. */
  alive(): Promise<boolean>;
}

export async function openSocket(th: TestHub, cookie: string): Promise<OpenSocket> {
  const socket = new WebSocket(th.wsUrl, { headers: { cookie } });
  const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  return {
    socket,
    closed,
    alive: () =>
      new Promise((resolve) => {
        if (socket.readyState !== socket.OPEN) return resolve(false);
        socket.once("pong", () => resolve(socket.readyState === socket.OPEN));
        socket.once("close", () => resolve(false));
        socket.ping();
      }),
  };
}

/** The HTTP status the hub refuses a WebSocket upgrade with (0: it was accepted). */
export function socketRefusal(th: TestHub, cookie: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(th.wsUrl, { headers: { cookie } });
    socket.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? -1));
    socket.on("open", () => {
      socket.close();
      resolve(0);
    });
  });
}
