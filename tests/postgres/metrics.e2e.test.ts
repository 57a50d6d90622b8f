/**
 * `GET /metrics` on PostgreSQL (the suite runs on SQLite in tests/metrics.e2e.test.ts), and behind HAProxy
 * with deploy/haproxy.cfg on the hub's own machine: the proxy connects from loopback, so without a token
 * only its X-Forwarded-For tells the hub the request is someone else's, and the proxy refuses /metrics
 * itself. Prometheus scrapes each hub directly (deploy/prometheus/prometheus.yml).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HaproxyFront, startHaproxy } from "../support/haproxy-front.ts";
import { describeMetrics } from "../support/metrics-suite.ts";
import { scrape } from "../support/scrape.ts";
import { startTestHub, type TestHub, waitFor } from "../support/test-hub.ts";

describeMetrics("postgres");

describe("GET /metrics behind HAProxy on the hub's machine", () => {
  let th: TestHub;
  let front: HaproxyFront;

  beforeAll(async () => {
    th = await startTestHub({ engine: "postgres", twilio: false, env: { ANXIN_SEED_DEMO: "false" } });
    front = await startHaproxy([{ mqttPort: th.hub.mqttPort, httpPort: th.hub.httpPort }]);
  });
  afterAll(async () => {
    await front?.stop();
    await th?.stop();
  });

  it("is refused through the proxy, however the path is written, while the hub answers loopback itself", async () => {
    // The proxy sends to the hub once its health check has passed.
    await waitFor(
      async () => (await fetch(`${front.httpUrl}/health`)).status === 200,
      15_000,
      "HAProxy to pass /health",
    );
    for (const path of ["/metrics", "/METRICS", "/metrics?format=text"]) {
      const response = await fetch(`${front.httpUrl}${path}`);
      expect(response.status, path).toBe(403);
      // HAProxy's own page: the request never reached the hub (which would refuse it too, as forwarded).
      expect(await response.text(), path).toContain("Request forbidden by administrative rules");
    }
    expect((await scrape(th.httpUrl)).value("anxin_devices_connected")).toBe(0);
  });
});
