/**
 * A rate-limited Twilio for the SMS fan-out scenario: the project's Twilio
 * stand-in (tests/support/fake-twilio.ts, which checks every request as
 * Twilio does and honours idempotency tokens) behind a gate that plays a
 * provider with an allowed rate. The gate answers every request after
 * `latencyMs`; a request over the allowed rate (a token bucket holding 200 ms
 * of it) or one of a random `refuseShare` gets 429 with Retry-After: 1,
 * the rest go on to the stand-in.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeTwilio, startFakeTwilio } from "../../tests/support/fake-twilio.ts";
import { epochMs } from "./stats.ts";

export const BENCH_TWILIO = {
  accountSid: `AC${"0123456789abcdef".repeat(2)}`,
  authToken: "load-bench-auth-token-0123456789",
  from: "+15005550006",
};

export interface GateRequest {
  at: number;
  to: string;
  body: string;
  status: number;
}

export interface TwilioStandIn {
  url: string;
  /** The rate the stand-in allows; the hub's outbox is paced to it. */
  ratePerSecond: number;
  requests: GateRequest[];
  fake: FakeTwilio;
  close(): Promise<void>;
}

export async function startTwilioStandIn(options: {
  ratePerSecond: number;
  refuseShare: number;
  latencyMs: number;
}): Promise<TwilioStandIn> {
  const fake = await startFakeTwilio(BENCH_TWILIO);
  const target = new URL(fake.url);
  const requests: GateRequest[] = [];
  const capacity = Math.max(1, options.ratePerSecond / 5);
  let tokens = capacity;
  let refilledAt = Date.now();
  const take = (): boolean => {
    const now = Date.now();
    tokens = Math.min(capacity, tokens + ((now - refilledAt) / 1000) * options.ratePerSecond);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const later = (fn: () => void) => setTimeout(fn, options.latencyMs);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const form = new URLSearchParams(raw.toString("utf8"));
      const record: GateRequest = { at: epochMs(), to: form.get("To") ?? "", body: form.get("Body") ?? "", status: 0 };
      requests.push(record);
      // Random refusals first, so they do not spend the allowed rate.
      if (Math.random() < options.refuseShare || !take()) {
        record.status = 429;
        const body = JSON.stringify({ code: 20429, message: "Too Many Requests", status: 429 });
        later(() =>
          res
            .writeHead(429, { "content-type": "application/json", "retry-after": "1", "content-length": body.length })
            .end(body),
        );
        return;
      }
      const forward = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => parts.push(chunk));
          answer.on("end", () => {
            record.status = answer.statusCode ?? 502;
            later(() => res.writeHead(record.status, answer.headers).end(Buffer.concat(parts)));
          });
        },
      );
      forward.on("error", () => {
        record.status = 502;
        res.writeHead(502).end();
      });
      forward.end(raw);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ratePerSecond: options.ratePerSecond,
    requests,
    fake,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.close();
    },
  };
}
