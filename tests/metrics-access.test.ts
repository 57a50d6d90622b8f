/**
 * Who may scrape `GET /metrics` (hub/http/routes/metrics-routes.ts), checked with `inject`, which sets the
 * socket's peer address: without ANXIN_METRICS_TOKEN only loopback, and never a request a proxy forwarded;
 * with it, only `Authorization: Bearer <token>`, from anywhere, loopback included. Each refusal is a coded
 * ErrorBody, logged once per window however often it is repeated, and never written to the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../hub/config.ts";
import { AnxinError } from "../hub/errors.ts";
import { isLoopback } from "../hub/http/routes/metrics-routes.ts";
import { ErrorBody } from "../protocol/console/index.ts";
import { parseScrape } from "./support/scrape.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const TOKEN = "metrics-token-0123456789abcdef0123456789";

let open: TestHub;
let guarded: TestHub;

beforeAll(async () => {
  open = await startTestHub({ twilio: false, env: { ANXIN_SEED_DEMO: "false" } });
  guarded = await startTestHub({ twilio: false, env: { ANXIN_SEED_DEMO: "false", ANXIN_METRICS_TOKEN: TOKEN } });
}, 60_000);

afterAll(async () => {
  await open?.stop();
  await guarded?.stop();
});

function get(th: TestHub, remoteAddress: string, headers: Record<string, string> = {}) {
  return th.hub.app.inject({ method: "GET", url: "/metrics", remoteAddress, headers });
}

async function auditRows(th: TestHub): Promise<number> {
  return (await th.hub.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log"))?.n ?? 0;
}

describe("GET /metrics without ANXIN_METRICS_TOKEN: loopback only", () => {
  it("answers loopback, IPv4 and IPv6, with Prometheus text", async () => {
    for (const address of ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"]) {
      const response = await get(open, address);
      expect(response.statusCode, address).toBe(200);
      expect(response.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(response.headers["cache-control"]).toBe("no-store");
      expect(parseScrape(response.body).value("anxin_devices_connected")).toBe(0);
    }
  });

  it("refuses any other address, and a request a proxy on this machine forwarded", async () => {
    const auditBefore = await auditRows(open);
    const refusals = [
      get(open, "10.0.0.5"),
      get(open, "192.0.2.7"),
      get(open, "::ffff:10.0.0.5"),
      get(open, "2001:db8::1"),
      // A proxy on the hub's own machine connects from loopback on someone else's behalf.
      get(open, "127.0.0.1", { "x-forwarded-for": "203.0.113.9" }),
      get(open, "127.0.0.1", { forwarded: "for=203.0.113.9" }),
      get(open, "::1", { "x-real-ip": "203.0.113.9" }),
      // A token means nothing while none is configured.
      get(open, "10.0.0.5", { authorization: `Bearer ${TOKEN}` }),
    ];
    for (const response of await Promise.all(refusals)) {
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ code: "METRICS_LOOPBACK_ONLY", message: expect.any(String) });
    }
    expect(await auditRows(open)).toBe(auditBefore);
    // Eight refusals in one window: one line now, the rest in one summary at the window's end.
    const lines = open.logs.filter((line) => line.code === "METRICS_LOOPBACK_ONLY");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "metrics scrape refused", url: "/metrics" });
  });
});

describe("GET /metrics with ANXIN_METRICS_TOKEN: the bearer token, from anywhere", () => {
  it("answers the right token, loopback or not, forwarded or not, whatever the scheme's case", async () => {
    for (const [address, headers] of [
      ["127.0.0.1", { authorization: `Bearer ${TOKEN}` }],
      ["198.51.100.7", { authorization: `Bearer ${TOKEN}` }],
      ["127.0.0.1", { authorization: `bearer ${TOKEN}`, "x-forwarded-for": "198.51.100.7" }],
    ] as const) {
      const response = await get(guarded, address, headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(200);
      expect(parseScrape(response.body).value("anxin_alarm_ack_deadline_seconds")).toBe(60);
    }
  });

  it("refuses loopback without it, and any token but that one, with a challenge", async () => {
    const auditBefore = await auditRows(guarded);
    const wrong: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}X` },
      { authorization: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString("base64")}` },
      { authorization: TOKEN },
      { authorization: `Bearer ${TOKEN} ${TOKEN}` },
    ];
    for (const headers of wrong) {
      for (const address of ["127.0.0.1", "198.51.100.7"]) {
        const response = await get(guarded, address, headers);
        expect(response.statusCode, JSON.stringify(headers)).toBe(401);
        expect(response.headers["www-authenticate"]).toBe('Bearer realm="anxin-metrics"');
        expect(response.json()).toEqual({ code: "METRICS_TOKEN_INVALID", message: expect.any(String) });
        expect(response.body).not.toContain(TOKEN.slice(0, 16));
      }
    }
    expect(await auditRows(guarded)).toBe(auditBefore);
    expect(guarded.logs.filter((line) => line.code === "METRICS_TOKEN_INVALID")).toHaveLength(1);
  });
});

describe("the metrics route's terms", () => {
  it("declares Prometheus text for its answer and ErrorBody for every refusal", () => {
    const route = open.hub.app.routeReplies.find((r) => r.method === "GET" && r.url === "/metrics");
    expect(route?.response["200"]).toMatchObject({ type: "string" });
    for (const status of ["401", "403", "500"]) expect(route?.response[status], status).toBe(ErrorBody);
  });

  it("takes loopback from the address alone: 127.0.0.0/8 and ::1, mapped or not", () => {
    const yes = ["127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1", "::FFFF:127.1.2.3"];
    const no = [undefined, "", "10.0.0.1", "128.0.0.1", "::2", "::ffff:10.0.0.1", "fe80::1", "localhost", "0.0.0.0"];
    for (const address of yes) expect(isLoopback(address), address).toBe(true);
    for (const address of no) expect(isLoopback(address), String(address)).toBe(false);
  });

  it("refuses a short token, or one with a space, at boot, without ever quoting it", () => {
    const secret = "short-but-secret-token";
    let thrown: unknown;
    try {
      loadConfig({ ANXIN_METRICS_TOKEN: secret });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AnxinError);
    const problems = (thrown as AnxinError).details?.problems as string[];
    expect(problems).toEqual([expect.stringMatching(/^ANXIN_METRICS_TOKEN: must be at least 32 characters/)]);
    expect(JSON.stringify(problems)).not.toContain(secret);
    expect(() => loadConfig({ ANXIN_METRICS_TOKEN: `${TOKEN}\n` })).toThrow(
      /ANXIN_METRICS_TOKEN: must not contain spaces or line breaks/,
    );
    expect(loadConfig({ ANXIN_METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(loadConfig({}).metricsToken).toBeNull();
  });
});
