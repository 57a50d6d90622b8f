/**
 * Redis away, with the hubs' brokers sharing it (ANXIN_REDIS_URL): `/health`
 * says so (503, so HAProxy sends nobody new), a press made meanwhile is stored
 * all the same, and once Redis is back the device's retry is acked, with the
 * one alarm. A real redis-server, stopped and started again on its port.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { type ScratchRedis, scratchRedis } from "../support/scratch-redis.ts";
import { startTestHub, type TestHub, waitFor } from "../support/test-hub.ts";
import { type ScratchDatabase, scratchDatabase } from "./scratch-database.ts";

interface Health {
  status: string;
  reasons: string[];
  redis: boolean | null;
}

describe("a hub whose Redis goes away and comes back", () => {
  let database: ScratchDatabase;
  let redis: ScratchRedis;
  let th: TestHub;

  beforeAll(async () => {
    database = await scratchDatabase("redis_outage", { migrate: false });
    redis = await scratchRedis();
    th = await startTestHub({ env: { ANXIN_DATABASE_URL: database.url, ANXIN_REDIS_URL: redis.url } });
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    await redis?.stop();
    await database?.drop();
  });

  async function health(): Promise<{ code: number; body: Health }> {
    const response = await fetch(`${th.httpUrl}/health`);
    return { code: response.status, body: (await response.json()) as Health };
  }

  it("is not ready while Redis is away, stores a press made meanwhile, and acks its retry once Redis is back", async () => {
    // Ready first: on a busy machine a hub just started may still report itself degraded for a moment.
    const ready = await waitFor(
      async () => {
        const now = await health();
        return now.code === 200 ? now : null;
      },
      30_000,
      "the hub ready, Redis there",
    );
    expect(ready).toMatchObject({ code: 200, body: { status: "ok", redis: true } });
    const credential = th.demoDevices[40];
    if (!credential) throw new Error("demo district has too few devices");
    const button = new SimulatedButton({ mqttUrl: th.mqttUrl, ...credential, retryInitialMs: 500, retryMaxMs: 1000 });
    await button.start({ timeoutMs: 5000 });

    await redis.stop();
    const away = await waitFor(
      async () => {
        const answer = await health();
        return answer.code === 503 ? answer : undefined;
      },
      10_000,
      "/health answering 503",
    );
    expect(away.body.redis).toBe(false);
    expect(away.body.reasons.join(" ")).toMatch(/Redis/);

    const acked = button.press("sos");
    const stored = await waitFor(
      async () =>
        (await database.sql.all<{ id: number }>("SELECT id FROM alarms WHERE device_id = ?", [credential.deviceId]))[0],
      10_000,
      "the press stored while Redis is away",
    );

    await redis.restart();
    const ack = await acked;
    expect(ack.alarmId).toBe(stored.id);
    await waitFor(async () => ((await health()).code === 200 ? true : undefined), 10_000, "/health ok again");
    const alarms = await database.sql.all("SELECT id FROM alarms WHERE device_id = ?", [credential.deviceId]);
    expect(alarms).toHaveLength(1);
    await button.stop();
  }, 60_000);
});
