/**
 * The consoles' push (hub/http/console-push.ts) against a real hub with real
 * WebSocket consoles: changes are gathered per push window and sent as batch
 * frames (`alarms`, at most 250 each), every alarm in its latest state, the
 * same frames to every console; a console that cannot keep up is closed with
 * 4002 and can come back; the open list pages past 1,000 for its reload.
 */

import { isDeepStrictEqual } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../firmware-sim/device.ts";
import { BATCH_LIMITS } from "../hub/http/console-frames.ts";
import { SLOW_CONSOLE_CLOSE } from "../hub/http/console-push.ts";
import type { AlarmSummary } from "../protocol/console/index.ts";
import { type ConsoleFeed, openConsoleFeed } from "./support/console-feed.ts";
import { insertOpenAlarms } from "./support/queue-fixtures.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

/** Deadlines far beyond the test: nothing escalates under it. */
const QUIET_DEADLINES = { ANXIN_ACK_DEADLINE_S: "86400", ANXIN_ARRIVAL_DEADLINE_S: "86400" };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function feedOf(th: TestHub, cookie: string): Promise<ConsoleFeed> {
  const feed = await openConsoleFeed(th.wsUrl, cookie);
  cleanups.push(() => feed.close());
  return feed;
}

const alarmFrames = (feed: ConsoleFeed) => feed.frames.filter((f) => f.type === "alarms");

/** The hub's own summaries of `ids`, over HTTP. */
async function summariesOverHttp(th: TestHub, cookie: string, ids: number[]): Promise<Map<number, AlarmSummary>> {
  const out = new Map<number, AlarmSummary>();
  for (const id of ids) {
    const response = await th.hub.app.inject({ method: "GET", url: `/api/alarms/${id}`, headers: { cookie } });
    expect(response.statusCode).toBe(200);
    const { events, sms, relatives, relativeCascade, dispatch, serviceRequest, callable, calls, ...summary } =
      response.json().alarm;
    out.set(id, summary as AlarmSummary);
  }
  return out;
}

describe("console push", () => {
  let th: TestHub;
  let cookie: string;
  beforeAll(async () => {
    th = await startTestHub({ env: QUIET_DEADLINES });
    cookie = await th.login();
  });
  afterAll(async () => {
    await th?.stop();
  });

  it("brings a burst of presses to every console in fewer frames than changes, each alarm in its final state", async () => {
    const consoles = [await feedOf(th, cookie), await feedOf(th, cookie), await feedOf(th, cookie)];
    let changes = 0;
    const counting = th.hub.bus.on("alarm.changed", () => {
      changes += 1;
    });
    cleanups.push(counting);
    const buttons = th.demoDevices
      .slice(0, 24)
      .map((device) => new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: device.deviceId, secret: device.secret }));
    cleanups.push(async () => {
      for (const button of buttons) await button.stop();
    });
    await Promise.all(buttons.map((button) => button.start({ timeoutMs: 10_000 })));

    const acks = await Promise.all(buttons.map((button) => button.press("sos")));
    const ids = acks.map((ack) => ack.alarmId ?? 0);
    for (const id of ids) await th.waitForPipeline(id, 15_000);

    // Every console ends with each alarm exactly as the hub has it now (pushes keep coming while SMS go out).
    let truth = new Map<number, AlarmSummary>();
    const matches = () =>
      consoles.every((feed) => {
        const latest = feed.latest();
        return ids.every((id) => isDeepStrictEqual(latest.get(id), truth.get(id)));
      });
    const deadline = Date.now() + 15_000;
    for (truth = await summariesOverHttp(th, cookie, ids); !matches(); ) {
      if (Date.now() > deadline) break; // the expectation below says what differs
      await new Promise((resolve) => setTimeout(resolve, 50));
      truth = await summariesOverHttp(th, cookie, ids);
    }
    for (const feed of consoles) for (const id of ids) expect(feed.latest().get(id)).toEqual(truth.get(id));

    const [first, ...others] = consoles;
    if (!first) throw new Error("no console");
    const frames = alarmFrames(first);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(changes);
    for (const frame of frames) {
      if (frame.type !== "alarms") continue;
      expect(frame.alarms.length).toBeLessThanOrEqual(BATCH_LIMITS.items);
      // One alarm at most once per frame: a window's changes are folded into its latest state.
      expect(new Set(frame.alarms.map((a) => a.id)).size).toBe(frame.alarms.length);
    }
    // The same frames, in the same order, to every console connected before the burst.
    for (const other of others) expect(alarmFrames(other)).toEqual(frames);
  });

  it("sends an alarm changed twice within one window once, as it is after the second change", async () => {
    const feed = await feedOf(th, cookie);
    const [alarm] = insertOpenAlarms(th.hub.db, 1);
    if (!alarm) throw new Error("no fixture alarm");
    const setPresses = th.hub.db.prepare("UPDATE alarms SET press_count = ? WHERE id = ?");
    // Two committed changes in one tick, each announced as the hub's writers do.
    setPresses.run(2, alarm.id);
    th.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "pressed_again" });
    setPresses.run(3, alarm.id);
    th.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "pressed_again" });
    await waitFor(() => feed.alarms.some((a) => a.id === alarm.id), 5000, "the push");
    expect(feed.alarms.filter((a) => a.id === alarm.id).map((a) => a.pressCount)).toEqual([3]);

    // A later change is a later push, and the console's last word is the latest state.
    setPresses.run(4, alarm.id);
    th.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "pressed_again" });
    await waitFor(() => feed.alarms.filter((a) => a.id === alarm.id).length === 2, 5000, "the second push");
    expect(feed.alarms.filter((a) => a.id === alarm.id).map((a) => a.pressCount)).toEqual([3, 4]);
    expect(feed.latest().get(alarm.id)?.priority).toBe("urgent");
  });

  it("splits a burst of 600 alarms into bounded frames, each alarm once", async () => {
    const feed = await feedOf(th, cookie);
    const alarms = insertOpenAlarms(th.hub.db, 600);
    for (const alarm of alarms) th.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "created" });
    // The hub is shared with the tests before: an earlier alarm may change meanwhile (a deadline passes).
    const ids = new Set(alarms.map((a) => a.id));
    const mine = () => feed.alarms.filter((a) => ids.has(a.id));
    await waitFor(() => mine().length >= alarms.length, 10_000, "all 600 pushed");
    const frames = alarmFrames(feed);
    expect(frames.length).toBeGreaterThanOrEqual(Math.ceil(alarms.length / BATCH_LIMITS.items));
    for (const frame of frames) if (frame.type === "alarms") expect(frame.alarms.length).toBeLessThanOrEqual(250);
    expect(
      mine()
        .map((a) => a.id)
        .sort((a, b) => a - b),
    ).toEqual(alarms.map((a) => a.id));
    // Each summary is the one the list answers with.
    const list = await th.hub.app.inject({
      method: "GET",
      url: `/api/alarms?status=open&limit=1000`,
      headers: { cookie },
    });
    const listed = new Map((list.json().alarms as AlarmSummary[]).map((a) => [a.id, a]));
    for (const pushed of mine()) expect(pushed).toEqual(listed.get(pushed.id));
  });

  it("pages the open alarms past 1,000 with beforeId, newest first, none twice", async () => {
    insertOpenAlarms(th.hub.db, 1100);
    const open = (
      th.hub.db
        .prepare("SELECT id FROM alarms WHERE status NOT IN ('resolved', 'followed_up', 'cancelled') ORDER BY id DESC")
        .all() as { id: number }[]
    ).map((r) => r.id);
    expect(open.length).toBeGreaterThan(1000);
    const seen: number[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const after = beforeId === undefined ? "" : `&beforeId=${beforeId}`;
      const page = await th.hub.app.inject({
        method: "GET",
        url: `/api/alarms?status=open&limit=1000${after}`,
        headers: { cookie },
      });
      expect(page.statusCode).toBe(200);
      const ids = (page.json().alarms as AlarmSummary[]).map((a) => a.id);
      seen.push(...ids);
      if (ids.length < 1000) break;
      beforeId = ids.at(-1);
    }
    expect(seen).toEqual(open);
  });

  it("tells the consoles of a new alarm at its ack, before it is located, texted or offered", async () => {
    const feed = await feedOf(th, cookie);
    // What was stored when the consoles were told (the push reads the same row a moment later).
    const told: { id: number; stagesDone: string; householdId: number | null; status: string }[] = [];
    const listening = th.hub.bus.on("alarm.changed", ({ alarmId, change }) => {
      if (change !== "received") return;
      const row = th.hub.db
        .prepare("SELECT stages_done, household_id, status FROM alarms WHERE id = ?")
        .get(alarmId) as { stages_done: string; household_id: number | null; status: string };
      told.push({ id: alarmId, stagesDone: row.stages_done, householdId: row.household_id, status: row.status });
    });
    cleanups.push(listening);
    const device = th.demoDevices[30];
    if (!device) throw new Error("no demo device");
    const button = new SimulatedButton({ mqttUrl: th.mqttUrl, deviceId: device.deviceId, secret: device.secret });
    cleanups.push(() => button.stop());
    await button.start({ timeoutMs: 10_000 });
    const ack = await button.press("sos");
    const id = ack.alarmId ?? 0;
    await waitFor(() => told.some((t) => t.id === id), 5000, "the consoles to be told of the new alarm");
    expect(told.filter((t) => t.id === id)).toEqual([
      { id, stagesDone: "[]", householdId: null, status: "unassigned" },
    ]);
    await th.waitForPipeline(id, 15_000);
    // The console has it, and then has it located.
    await waitFor(
      () => alarmFrames(feed).some((f) => JSON.stringify(f).includes(`"id":${id},`)),
      5000,
      "a frame with the alarm",
    );
  });
});

describe("a console that cannot keep up", () => {
  let th: TestHub;
  let cookie: string;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false, env: { ...QUIET_DEADLINES, ANXIN_CONSOLE_MAX_BUFFER_KB: "64" } });
    cookie = await th.login();
  });
  afterAll(async () => {
    await th?.stop();
  });

  it("is closed with 4002 while the others keep their pushes, and can reconnect", async () => {
    const slow = await feedOf(th, cookie);
    const healthy = await feedOf(th, cookie);
    // The slow console stops reading: what the hub sends piles up in the kernel, then in the hub.
    slow.socket.pause();
    const alarms = insertOpenAlarms(th.hub.db, 1500);
    let rounds = 0;
    const tooSlow = () => th.logs.find((line) => line.code === "CONSOLE_TOO_SLOW");
    while (!tooSlow()) {
      rounds += 1;
      if (rounds > 100) throw new Error("the hub never closed the console that stopped reading");
      const before = healthy.alarms.length;
      for (const alarm of alarms) th.hub.bus.emit("alarm.changed", { alarmId: alarm.id, change: "note_added" });
      await waitFor(
        () => healthy.alarms.length >= before + alarms.length,
        15_000,
        `round ${rounds} on the healthy console`,
      );
    }
    // The hub stopped at its bound: at most one frame past 64 KiB was ever waiting for that console.
    expect(Number(tooSlow()?.bufferedBytes)).toBeGreaterThan(64 * 1024);
    expect(Number(tooSlow()?.bufferedBytes)).toBeLessThanOrEqual(64 * 1024 + BATCH_LIMITS.bytes + 1024);

    // Reading again, the slow console drains what was sent before the close, then sees the close.
    slow.socket.resume();
    await waitFor(() => slow.closed, 30_000, "the slow console closed");
    expect(slow.closed?.code).toBe(SLOW_CONSOLE_CLOSE);
    expect(healthy.closed).toBeNull();

    // It reconnects (as the dashboard does) and gets what changes from then on.
    const back = await feedOf(th, cookie);
    const [one] = alarms;
    if (!one) throw new Error("no fixture alarm");
    th.hub.bus.emit("alarm.changed", { alarmId: one.id, change: "note_added" });
    await waitFor(() => back.alarms.some((a) => a.id === one.id), 5000, "a push on the new connection");
    expect(back.closed).toBeNull();
  });
});
