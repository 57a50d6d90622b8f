/**
 * The offer cascade with time under the test's control: vitest's fake clock
 * drives the real offer watcher (its 1 s interval and every `expires_at`) over
 * a real SQLite database with the seeded demo district.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OfferRow } from "../hub/dispatch/dispatch-repo.ts";
import { parseRanking } from "../hub/dispatch/offer-cascade.ts";
import { rankedParams } from "../hub/dispatch/ranking.ts";
import type { RankedWorker } from "../hub/dispatch/types.ts";
import { reasonOf, storedReason } from "../protocol/console/index.ts";
import { type DispatchHarness, startDispatchHarness } from "./support/dispatch-harness.ts";

// setImmediate stays real: the harness uses it to let after-commit work settle.
const FAKE = { toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] as const };

describe("offer cascade", () => {
  let h: DispatchHarness;
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: [...FAKE.toFake], now: new Date("2026-11-23T02:00:00Z") });
    h = await startDispatchHarness();
  });
  afterEach(async () => {
    await h.close();
    vi.useRealTimers();
  });

  const offers = (alarmId: number) => h.repo.offers(alarmId);
  const open = async (alarmId: number): Promise<OfferRow> => {
    const offer = await h.repo.openOffer(alarmId);
    if (!offer) throw new Error(`alarm ${alarmId} has no open offer`);
    return offer;
  };

  it("passes the alarm down the ranking on a decline and on every timeout, through to dispatch_exhausted", async () => {
    const alarmId = await h.raise(0);
    const ranking = parseRanking((await h.repo.alarm(alarmId))?.dispatch_ranking ?? null)?.entries ?? [];
    expect(ranking).toHaveLength(5);
    expect((await h.repo.alarm(alarmId))?.status).toBe("offered");
    const first = await open(alarmId);
    expect(first).toMatchObject({ worker_id: ranking[0]?.workerId, rank: 1, offered_by: "system" });
    expect(Date.parse(first.expires_at) - Date.parse(first.offered_at)).toBe(120_000);

    // A decline passes it on at once, with the reason on the timeline.
    await h.actions.decline(first.id, h.userOf(first.worker_id), "在医院陪护家人");
    const second = await open(alarmId);
    expect(second).toMatchObject({ worker_id: ranking[1]?.workerId, rank: 2 });
    const declined = h.db
      .prepare("SELECT actor, detail FROM alarm_events WHERE alarm_id = ? AND type = 'offer_declined'")
      .get(alarmId) as { actor: string; detail: string };
    expect(declined.actor).toBe(`user:${ranking[0]?.code}`);
    expect(JSON.parse(declined.detail)).toMatchObject({
      reason: { code: "offer_declined", params: { note: "在医院陪护家人" } },
    });
    // The next offer says why, coded: who declined, in their words, then this worker's rank and basis.
    expect(reasonOf((await h.repo.alarm(alarmId))?.dispatch_reason)).toEqual({
      code: "offer_ranked",
      params: {
        ...rankedParams(ranking[1] as RankedWorker),
        rank: 2,
        after: "offer_declined",
        afterWorker: ranking[0]?.name,
        afterNote: "在医院陪护家人",
      },
    });
    expect(await h.repo.offer(first.id)).toMatchObject({
      note: storedReason({ code: "offer_declined", params: { note: "在医院陪护家人" } }),
    });

    // Timeouts come from the stored deadline, scanned every second by the watcher.
    h.watcher.start();
    await vi.advanceTimersByTimeAsync(118_000);
    expect((await open(alarmId)).id).toBe(second.id);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await open(alarmId)).toMatchObject({ worker_id: ranking[2]?.workerId, rank: 3 });
    for (let i = 0; i < 3; i += 1) await vi.advanceTimersByTimeAsync(121_000);

    expect(await h.repo.openOffer(alarmId)).toBeUndefined();
    expect((await offers(alarmId)).map((o) => [o.worker_id, o.status])).toEqual([
      [ranking[0]?.workerId, "declined"],
      [ranking[1]?.workerId, "timed_out"],
      [ranking[2]?.workerId, "timed_out"],
      [ranking[3]?.workerId, "timed_out"],
      [ranking[4]?.workerId, "timed_out"],
    ]);
    expect(h.eventTypes(alarmId).slice(-11)).toEqual([
      "offer_sent",
      "offer_declined",
      "offer_sent",
      "offer_timed_out",
      "offer_sent",
      "offer_timed_out",
      "offer_sent",
      "offer_timed_out",
      "offer_sent",
      "offer_timed_out",
      "dispatch_exhausted",
    ]);
    const alarm = await h.repo.alarm(alarmId);
    expect(alarm).toMatchObject({ status: "offered", worker_id: null });
    expect(reasonOf(alarm?.dispatch_reason)).toEqual({
      code: "all_workers_asked",
      params: { ranked: 5, after: "offer_timed_out", afterWorker: ranking[4]?.name },
    });
    expect(h.changes).toContainEqual({ alarmId, change: "dispatch_exhausted" });
    // Each offer texted its worker once, with a link to that offer on the worker page.
    const texts = h.db.prepare("SELECT body FROM outbox WHERE alarm_id = ? AND purpose = 'worker'").all(alarmId) as {
      body: string;
    }[];
    expect(texts.map((t) => t.body.match(/\/worker\/#\/offers\/(\d+)$/)?.[1])).toEqual(
      (await offers(alarmId)).map((o) => String(o.id)),
    );
    // Nothing more happens once everyone was asked.
    await vi.advanceTimersByTimeAsync(300_000);
    expect(await offers(alarmId)).toHaveLength(5);
  });

  it("lets only the offered worker accept; accepted, arrived and resolved follow on the device", async () => {
    const alarmId = await h.raise(3);
    const offer = await open(alarmId);
    const other = (
      h.db.prepare("SELECT id FROM workers WHERE id != ? ORDER BY id LIMIT 1").get(offer.worker_id) as { id: number }
    ).id;
    await expect(h.actions.accept(offer.id, h.userOf(other))).rejects.toMatchObject({ code: "AUTH_FORBIDDEN" });
    await expect(h.actions.arrived(alarmId, h.userOf(offer.worker_id))).rejects.toMatchObject({
      code: "ALARM_STATE_CONFLICT",
    });

    const worker = h.userOf(offer.worker_id);
    await h.actions.accept(offer.id, worker);
    expect(await h.repo.alarm(alarmId)).toMatchObject({ status: "accepted", worker_id: offer.worker_id });
    expect(h.feedback.at(-1)).toMatchObject({ state: "dispatched", alarmId });
    await expect(h.actions.accept(offer.id, worker)).rejects.toMatchObject({ code: "OFFER_NOT_OPEN" });
    await expect(h.actions.decline(offer.id, worker, null)).rejects.toMatchObject({ code: "OFFER_NOT_OPEN" });
    await expect(h.actions.arrived(alarmId, h.userOf(other))).rejects.toMatchObject({ code: "AUTH_FORBIDDEN" });
    // An accepted offer never times out.
    h.watcher.start();
    await vi.advanceTimersByTimeAsync(600_000);
    expect((await offers(alarmId)).map((o) => o.status)).toEqual(["accepted"]);

    await h.actions.arrived(alarmId, worker);
    expect(h.feedback.at(-1)).toMatchObject({ state: "arrived", alarmId });
    await expect(h.actions.resolve(alarmId, h.userOf(other), "real", "x")).rejects.toMatchObject({
      code: "AUTH_FORBIDDEN",
    });
    await h.actions.resolve(alarmId, worker, "real", "老人跌倒，已送医");
    expect(await h.repo.alarm(alarmId)).toMatchObject({ status: "resolved", outcome: "real", resolved_by: worker.id });
    expect(h.feedback.at(-1)).toMatchObject({ state: "closed", alarmId });
    expect(h.eventTypes(alarmId).slice(-4)).toEqual(["offer_sent", "offer_accepted", "on_scene", "resolved"]);
  });

  it("skips a busy worker for a second alarm, and passes over one who went off duty", async () => {
    const firstAlarm = await h.raise(5);
    const busyWorker = (await open(firstAlarm)).worker_id;
    // A second call from the same household: the worker holding the first offer is busy.
    const secondAlarm = await h.raise(5);
    const ranking = parseRanking((await h.repo.alarm(secondAlarm))?.dispatch_ranking ?? null)?.entries ?? [];
    expect(ranking.filter((e) => !e.busy).map((e) => e.workerId)).not.toContain(busyWorker);
    expect((await open(secondAlarm)).worker_id).not.toBe(busyWorker);

    // The second-ranked worker goes off duty before their turn: passed over, and named.
    const offDuty = ranking[1];
    if (!offDuty) throw new Error("ranking too short");
    await h.actions.setDuty(h.userOf(offDuty.workerId), false);
    const firstOffer = await open(secondAlarm);
    await h.actions.decline(firstOffer.id, h.userOf(firstOffer.worker_id), null);
    expect(await open(secondAlarm)).toMatchObject({ worker_id: ranking[2]?.workerId, rank: 3 });
    const sent = h.db
      .prepare("SELECT detail FROM alarm_events WHERE alarm_id = ? AND type = 'offer_sent' ORDER BY id DESC LIMIT 1")
      .get(secondAlarm) as { detail: string };
    expect(JSON.parse(sent.detail).skipped).toEqual([
      { workerId: offDuty.workerId, code: offDuty.code, why: { code: "went_off_duty", params: {} } },
    ]);
    expect(h.db.prepare("SELECT action, target FROM audit_log WHERE action = 'worker_duty_changed'").all()).toEqual([
      { action: "worker_duty_changed", target: `worker:${offDuty.workerId}` },
    ]);
  });

  it("treats going off duty with an open offer as a decline, and refuses it while an alarm is accepted", async () => {
    const alarmId = await h.raise(8);
    const first = await open(alarmId);
    await h.actions.setDuty(h.userOf(first.worker_id), false);
    expect(await h.repo.offer(first.id)).toMatchObject({
      status: "declined",
      note: storedReason({ code: "went_off_duty", params: {} }),
    });
    expect(reasonOf((await h.repo.alarm(alarmId))?.dispatch_reason)).toMatchObject({
      code: "offer_ranked",
      params: { rank: 2, after: "went_off_duty" },
    });
    const second = await open(alarmId);
    expect(second.worker_id).not.toBe(first.worker_id);
    const worker = h.userOf(second.worker_id);
    await h.actions.accept(second.id, worker);
    await expect(h.actions.setDuty(worker, false)).rejects.toMatchObject({ code: "WORKER_ASSIGNED" });
    expect((await h.repo.worker(second.worker_id))?.on_duty).toBe(1);
  });

  it("suggests but does not offer for service and test calls", async () => {
    const alarmId = await h.raise(9, "service");
    expect(await offers(alarmId)).toEqual([]);
    expect(await h.repo.alarm(alarmId)).toMatchObject({ status: "unassigned", clinic_id: null });
    const ranked = parseRanking((await h.repo.alarm(alarmId))?.dispatch_ranking ?? null)?.entries[0];
    expect(reasonOf((await h.repo.alarm(alarmId))?.dispatch_reason)).toEqual({
      code: "suggested",
      params: rankedParams(ranked as RankedWorker),
    });
    expect(h.eventTypes(alarmId)).toEqual(["dispatch_ranked"]);
    const testCall = await h.raise(10, "test");
    expect(await offers(testCall)).toEqual([]);
    expect(h.eventTypes(testCall)).toEqual(["dispatch_ranked", "clinic_selected"]);
    expect(h.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id IN (?, ?)").get(alarmId, testCall)).toEqual({
      n: 0,
    });
  });

  it("times out a pile of expired offers in chunks, letting other work run between them", async () => {
    const alarmIds: number[] = [];
    for (let i = 0; i < 40; i += 1) alarmIds.push(await h.raise(i));
    const firstOffers: OfferRow[] = [];
    for (const id of alarmIds) firstOffers.push(await open(id));
    vi.setSystemTime(Date.now() + 121_000);

    let passOver = false;
    let otherWorkRanDuringPass = false;
    const pass = h.service.timeOutExpiredOffers().finally(() => {
      passOver = true;
    });
    // Queued as the pass starts: it runs before the pass ends only if the pass yields the event loop.
    setImmediate(() => {
      otherWorkRanDuringPass = !passOver;
    });
    expect(await pass).toBe(40);
    expect(otherWorkRanDuringPass).toBe(true);
    for (const offer of firstOffers) expect((await h.repo.offer(offer.id))?.status).toBe("timed_out");
    for (const alarmId of alarmIds) {
      const types = h.eventTypes(alarmId);
      expect(types).toContain("offer_timed_out");
      // Passed on: a new offer, or (every ranked worker asked or passed over) the operator's turn.
      expect(types.at(-1) === "offer_sent" || types.at(-1) === "dispatch_exhausted").toBe(true);
    }
    // Nothing expired is left behind.
    expect(await h.repo.expiredOffers(new Date().toISOString(), 100)).toEqual([]);
  });
});
