/**
 * Reasons stored before they were coded (issue 15): the TEXT columns kept their
 * type, so rows of an earlier hub still hold English sentences. The views read
 * each one as `{ code: "text", params: { text } }` (the hub's own words, shown
 * as they are), beside rows of this hub read as their codes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALARM_STAGES } from "../hub/pipeline/alarm-pipeline.ts";
import { type AlarmDetail, type DeviceFault, reasonOf, storedReason } from "../protocol/console/index.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const text = (words: string) => ({ code: "text", params: { text: words } });

/** A ranking as hubs stored it before reasons were coded: sentences, with the code beside them. */
function oldRanking(worker: { id: number; code: string; name: string }): string {
  return JSON.stringify({
    metric: "great_circle",
    refinement: "none",
    computedAt: "2026-01-05T08:00:00.000Z",
    entries: [
      {
        rank: 1,
        workerId: worker.id,
        code: worker.code,
        name: worker.name,
        distanceM: 812,
        travelTimeS: null,
        roadDistanceM: null,
        sameGrid: true,
        busy: false,
        busyWithAlarmId: null,
        reason: "nearest free on-duty worker (0.8 km); in the household's grid",
        reasonCode: "nearest_free",
      },
    ],
    note: "travel times unavailable (OSRM answered HTTP 503); ranked by great-circle distance",
  });
}

describe("reasons stored by an earlier hub", () => {
  let th: TestHub;
  let cookie: string;
  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    cookie = await th.login();
  });
  afterAll(() => th?.stop());

  const get = async <T>(url: string): Promise<T> => {
    const response = await th.hub.app.inject({ method: "GET", url, headers: { cookie } });
    expect(response.statusCode).toBe(200);
    return response.json() as T;
  };

  it("reads an old alarm's sentences as text, and this hub's JSON as codes", async () => {
    const db = th.hub.db;
    const deviceId = th.demoDevices[0]?.deviceId;
    const worker = db.prepare("SELECT id, code, name FROM workers ORDER BY id LIMIT 1").get() as {
      id: number;
      code: string;
      name: string;
    };
    // A closed alarm with every stage done: nothing of the hub resumes it or writes over its reasons.
    const alarmId = Number(
      db
        .prepare(
          `INSERT INTO alarms (device_id, kind, status, outcome, received_at, resolved_at, stages_done,
                               dispatch_ranking, dispatch_reason, clinic_reason)
           VALUES (?, 'sos', 'resolved', 'real', '2026-01-05T08:00:00.000Z', '2026-01-05T08:30:00.000Z', ?, ?, ?, ?)`,
        )
        .run(
          deviceId,
          JSON.stringify(ALARM_STAGES.map((s) => s.name)),
          oldRanking(worker),
          `rank 1, ${worker.name} (${worker.code}): nearest free on-duty worker (0.8 km)`,
          "nearest open 24h/emergency clinic (required: SOS), 1.2 km",
        ).lastInsertRowid,
    );
    const offer = db.prepare(
      `INSERT INTO dispatch_offers (alarm_id, worker_id, rank, distance_m, status, offered_at, expires_at,
                                    responded_at, offered_by, note)
       VALUES (?, ?, 1, 812, ?, '2026-01-05T08:00:01.000Z', '2026-01-05T08:02:01.000Z', '2026-01-05T08:01:00.000Z',
               'system', ?)`,
    );
    offer.run(alarmId, worker.id, "declined", "在医院陪护家人");
    // One row of this hub's beside them: read as its code.
    offer.run(alarmId, worker.id, "withdrawn", storedReason({ code: "offer_withdrawn_alarm_closed", params: {} }));
    db.prepare("INSERT INTO alarm_events (alarm_id, at, type, actor, detail) VALUES (?, ?, ?, 'system', ?)").run(
      alarmId,
      "2026-01-05T08:00:00.500Z",
      "clinic_unavailable",
      JSON.stringify({ reason: "no open 24h/emergency clinic in the registry (required: SOS)" }),
    );

    const { alarm } = await get<{ alarm: AlarmDetail }>(`/api/alarms/${alarmId}`);
    expect(alarm.dispatch.reason).toEqual(
      text(`rank 1, ${worker.name} (${worker.code}): nearest free on-duty worker (0.8 km)`),
    );
    expect(alarm.dispatch.clinicReason).toEqual(text("nearest open 24h/emergency clinic (required: SOS), 1.2 km"));
    expect(alarm.dispatch.rankingNote).toEqual(
      text("travel times unavailable (OSRM answered HTTP 503); ranked by great-circle distance"),
    );
    expect(alarm.dispatch.ranking).toMatchObject([
      {
        workerId: worker.id,
        reasonCode: "nearest_free",
        reason: text("nearest free on-duty worker (0.8 km); in the household's grid"),
      },
    ]);
    expect(alarm.dispatch.offers.map((o) => o.note)).toEqual([
      text("在医院陪护家人"),
      { code: "offer_withdrawn_alarm_closed", params: {} },
    ]);
    // An old event's detail is passed on as stored; readers take its reason through reasonOf.
    const unavailable = alarm.events.find((e) => e.type === "clinic_unavailable");
    expect(reasonOf((unavailable?.detail as { reason?: unknown } | null)?.reason)).toEqual(
      text("no open 24h/emergency clinic in the registry (required: SOS)"),
    );
  });

  it("reads an old fault's clear reason as text", async () => {
    const deviceId = th.demoDevices[1]?.deviceId ?? "";
    th.hub.db
      .prepare(
        `INSERT INTO device_faults (device_id, kind, opened_at, cleared_at, detail, clear_reason)
         VALUES (?, 'offline', '2026-01-05T07:00:00.000Z', '2026-01-05T07:05:00.000Z', ?, 'device online')`,
      )
      .run(deviceId, JSON.stringify({ reason: "status offline (Last Will or goodbye)" }));
    const { faults } = await get<{ faults: DeviceFault[] }>("/api/devices/faults");
    const old = faults.find((f) => f.deviceId === deviceId && f.openedAt === "2026-01-05T07:00:00.000Z");
    expect(old?.clearReason).toEqual(text("device online"));
  });
});
