/**
 * Families informed until the end (issue 10), on a real hub: presses over
 * MQTT, the worker and console APIs with real logins, SQLite on disk, and every
 * SMS through the real twilio SDK to the local Twilio stand-in. Each relative's
 * texts are read back from the stand-in, in their language, step by step.
 */
import { afterEach, describe, expect, it } from "vitest";
import { segmentCount } from "./support/fake-twilio-resources.ts";
import { CENTER_PHONE, type FamilyHub, startFamilyHub } from "./support/family-harness.ts";
import { waitFor } from "./support/test-hub.ts";

const A = { name: "王建国", phone: "+8613900000201" };
const B = { name: "Li Ming", phone: "+8613900000202", language: "en" as const };
const C = { name: "王秀兰", phone: "+8613900000203" };
const DEVICE = 12;

interface Resident {
  name: string;
  conditions: string;
  medications: string;
  allergies: string;
  mobility: string;
}

describe("families informed until the end", () => {
  let h: FamilyHub | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const db = () => {
    if (!h) throw new Error("no hub");
    return h.th.hub.db;
  };
  const residentOf = (alarmId: number) =>
    db()
      .prepare("SELECT r.* FROM residents r JOIN alarms a ON a.resident_id = r.id WHERE a.id = ?")
      .get(alarmId) as Resident;
  const medicalOf = (r: Resident) =>
    [r.conditions, r.medications, r.allergies, r.mobility].filter((m) => m && m !== "无");
  /** Every queued step handled and every message of the alarm handed to Twilio: nothing more is on its way. */
  const settled = (alarmId: number) =>
    waitFor(
      () =>
        (
          db()
            .prepare(
              `SELECT (SELECT COUNT(*) FROM family_updates_due WHERE alarm_id = ? AND done_at IS NULL)
                    + (SELECT COUNT(*) FROM outbox WHERE alarm_id = ? AND status = 'pending') AS n`,
            )
            .get(alarmId, alarmId) as { n: number }
        ).n === 0,
      4000,
      `alarm ${alarmId} settled`,
    );
  const bodies = (phone: string) => (h?.smsTo(phone) ?? []).map((m) => m.body);

  it("texts each texted relative the steps in their own language: on the way with the worker's name, arrived, help given", async () => {
    h = await startFamilyHub();
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B]);
    const alarmId = await hub.press(DEVICE);
    await hub.smsCount(A.phone, 1);
    await hub.smsCount(B.phone, 1);
    const resident = residentOf(alarmId);

    const worker = await hub.accept(alarmId);
    expect((await hub.smsCount(A.phone, 2, "on the way, zh-CN"))[1]?.body).toBe(
      `【安心】${resident.name}的紧急呼叫：社区工作人员${worker.name}已接单，正在赶往。`,
    );
    expect((await hub.smsCount(B.phone, 2, "on the way, en"))[1]?.body).toBe(
      `[Anxin] ${resident.name}'s emergency call: community worker ${worker.name} has accepted and is on the way.`,
    );

    await hub.arrive(alarmId, worker.workerId);
    expect((await hub.smsCount(A.phone, 3, "arrived, zh-CN"))[2]?.body).toBe(
      `【安心】${resident.name}的紧急呼叫：社区工作人员${worker.name}已到达。`,
    );
    expect((await hub.smsCount(B.phone, 3, "arrived, en"))[2]?.body).toBe(
      `[Anxin] ${resident.name}'s emergency call: community worker ${worker.name} has arrived.`,
    );

    await hub.resolveAsWorker(alarmId, worker.workerId, "real");
    expect((await hub.smsCount(A.phone, 4, "closed, zh-CN"))[3]?.body).toBe(
      `【安心】${resident.name}的紧急呼叫已处理完毕，工作人员已提供帮助。如有疑问请致电指挥中心${CENTER_PHONE}。`,
    );
    expect((await hub.smsCount(B.phone, 4, "closed, en"))[3]?.body).toBe(
      `[Anxin] ${resident.name}'s emergency call is over: help was given. Questions? Call the center: ${CENTER_PHONE}.`,
    );

    // Exactly once each: once everything queued has left, each relative has the first SMS and three updates.
    await settled(alarmId);
    expect(bodies(A.phone)).toHaveLength(4);
    expect(bodies(B.phone)).toHaveLength(4);
    for (const body of [...bodies(A.phone), ...bodies(B.phone)].slice(1)) {
      for (const medical of medicalOf(resident)) expect(body).not.toContain(medical);
    }
    for (const body of [...bodies(A.phone).slice(1), ...bodies(B.phone).slice(1)]) {
      expect(segmentCount(body)).toBeLessThanOrEqual(2);
    }
    // Through the outbox like every message, one row per relative and step; a real emergency does not stand the clinic down.
    const purposes = db()
      .prepare(
        "SELECT purpose, COUNT(*) AS n FROM outbox WHERE alarm_id = ? AND (purpose LIKE 'family:%' OR purpose = 'clinic_stand_down') GROUP BY purpose ORDER BY purpose",
      )
      .all(alarmId);
    expect(purposes).toEqual([
      { purpose: "family:arrived", n: 2 },
      { purpose: "family:help_given", n: 2 },
      { purpose: "family:on_the_way", n: 2 },
    ]);
    expect((await hub.events(alarmId, "family_updated")).map((e) => e.detail.step)).toEqual([
      "on_the_way",
      "arrived",
      "help_given",
    ]);
    // The link's token was in the first SMS only until it left: the stored copy no longer has it.
    for (const phone of [A.phone, B.phone]) {
      const token = hub.tokenOf(phone);
      const stored = db()
        .prepare("SELECT body FROM outbox WHERE alarm_id = ? AND recipient = ? AND purpose LIKE 'relative:%'")
        .get(alarmId, phone) as { body: string };
      expect(stored.body).not.toContain(token);
      expect(stored.body).toMatch(/\/f\/…$/);
    }
  });

  it("a cancel tells every texted relative that all is well, and the clinic that was alerted stands down once", async () => {
    h = await startFamilyHub();
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B]);
    const alarmId = await hub.press(DEVICE);
    const clinicPhone = await hub.alertedClinic(alarmId);
    await hub.smsCount(A.phone, 1);
    await hub.smsCount(B.phone, 1);
    const resident = residentOf(alarmId);

    const cancelled = await hub.operator("POST", `/api/alarms/${alarmId}/cancel`, { reason: "老人误按" });
    expect(cancelled.statusCode).toBe(200);
    expect((await hub.smsCount(A.phone, 2, "all is well, zh-CN"))[1]?.body).toBe(
      `【安心】${resident.name}的呼叫已解除：不是紧急情况，一切平安。如有疑问请致电指挥中心${CENTER_PHONE}。`,
    );
    expect((await hub.smsCount(B.phone, 2, "all is well, en"))[1]?.body).toBe(
      `[Anxin] ${resident.name}'s call is closed: it was not an emergency, all is well. Questions? Call the center: ${CENTER_PHONE}.`,
    );
    const standDown = await waitFor(
      () => hub.smsTo(clinicPhone).find((m) => m.body.includes("撤销通知")),
      4000,
      "the clinic's stand-down",
    );
    expect(standDown.body).toContain(`警情#${alarmId}`);
    expect(standDown.body).toContain("无需准备接诊");
    for (const medical of medicalOf(resident)) expect(standDown.body).not.toContain(medical);

    await settled(alarmId);
    expect(hub.smsTo(clinicPhone).filter((m) => m.body.includes("撤销通知"))).toHaveLength(1);
    expect(bodies(A.phone)).toHaveLength(2);
    expect(await hub.events(alarmId, "clinic_stood_down")).toEqual([
      { type: "clinic_stood_down", actor: "system", detail: { to: clinicPhone } },
    ]);

    // A test alarm never texts a family, not even when it is closed.
    const testDevice = DEVICE + 1;
    await hub.giveRelatives(testDevice, [C]);
    const testAlarm = await hub.press(testDevice, "test");
    // Nobody asked for it: the hub closes it itself as a manual test once its pipeline is done.
    await waitFor(
      () =>
        (db().prepare("SELECT status FROM alarms WHERE id = ?").get(testAlarm) as { status: string }).status ===
        "resolved",
      5000,
      "the test alarm closed as a manual test",
    );
    expect(
      db().prepare("SELECT COUNT(*) AS n FROM alarm_events WHERE alarm_id = ? AND type = 'resolved'").get(testAlarm),
    ).toEqual({ n: 1 });
    expect(db().prepare("SELECT COUNT(*) AS n FROM family_updates_due WHERE alarm_id = ?").get(testAlarm)).toEqual({
      n: 0,
    });
    await settled(testAlarm);
    expect(hub.smsTo(C.phone)).toEqual([]);
  });

  it("a false alarm after a worker accepted: the clinic stands down; a relative who switched updates off hears nothing more", async () => {
    h = await startFamilyHub();
    const hub = h;
    const [, idB] = await hub.giveRelatives(DEVICE, [A, B, C]);
    // Switched off in the registry by an administrator, as a family asks.
    const off = await hub.operator("PATCH", `/api/registry/relatives/${idB}`, { updates: false });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ id: idB, updates: false });
    const alarmId = await hub.press(DEVICE);
    const clinicPhone = await hub.alertedClinic(alarmId);
    await hub.smsCount(B.phone, 1, "the first SMS still reaches the relative who switched updates off");
    const worker = await hub.accept(alarmId);
    await hub.smsCount(A.phone, 2, "on the way");
    await hub.resolveAsWorker(alarmId, worker.workerId, "false_alarm");
    const closing = (await hub.smsCount(A.phone, 3, "all is well"))[2]?.body;
    expect(closing).toContain("一切平安");
    await waitFor(() => hub.smsTo(clinicPhone).some((m) => m.body.includes("撤销通知")), 4000, "stand-down");

    await settled(alarmId);
    expect(bodies(B.phone)).toHaveLength(1);
    // C was never texted (the first wave is two): updates go only to relatives who were.
    expect(hub.smsTo(C.phone)).toEqual([]);
    expect((await hub.events(alarmId, "family_updated")).map((e) => e.detail)).toEqual([
      { step: "on_the_way", relatives: [{ id: expect.any(Number), name: A.name, phone: A.phone }] },
      { step: "all_well", relatives: [{ id: expect.any(Number), name: A.name, phone: A.phone }] },
    ]);
  });

  it("with ANXIN_FAMILY_UPDATES off nobody gets updates, but an alerted clinic still stands down", async () => {
    h = await startFamilyHub({ env: { ANXIN_FAMILY_UPDATES: "false" } });
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B]);
    const alarmId = await hub.press(DEVICE);
    const clinicPhone = await hub.alertedClinic(alarmId);
    const worker = await hub.accept(alarmId);
    await hub.arrive(alarmId, worker.workerId);
    await hub.resolveAsWorker(alarmId, worker.workerId, "false_alarm");
    await waitFor(() => hub.smsTo(clinicPhone).some((m) => m.body.includes("撤销通知")), 4000, "stand-down");
    await settled(alarmId);
    expect(bodies(A.phone)).toHaveLength(1);
    expect(bodies(B.phone)).toHaveLength(1);
    // The first SMS still carries the relative's own page.
    expect(bodies(A.phone)[0]).toMatch(/\/f\/[\w-]{43}$/);
    expect(await hub.events(alarmId, "family_updated")).toEqual([]);
  });
});
