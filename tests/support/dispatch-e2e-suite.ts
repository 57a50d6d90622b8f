/**
 * Dispatch end to end on a real hub: simulated buttons over MQTT, SQLite on
 * disk or PostgreSQL, the real twilio SDK against the local stand-in, and the worker API
 * with real logins from the demo seed.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatedButton } from "../../firmware-sim/device.ts";
import { startTestHub, type TestHub, waitFor } from "./test-hub.ts";

interface OfferRow {
  id: number;
  worker_id: number;
  rank: number;
  status: string;
  offered_by: string;
}

export function describeDispatchEndToEnd(engine: "sqlite" | "postgres"): void {
  describe(`dispatch end to end on ${engine}`, () => {
    let th: TestHub;
    let admin: string;
    const cookies = new Map<number, string>();
    const buttons: SimulatedButton[] = [];

    beforeAll(async () => {
      th = await startTestHub({ engine });
      admin = await th.login();
    });
    afterAll(async () => {
      for (const button of buttons) await button.stop();
      await th?.stop();
    });

    // Through the storage port: the same on SQLite and PostgreSQL.
    const sql = () => th.hub.sql;
    const code = async (workerId: number) =>
      (await sql().get<{ code: string }>("SELECT code FROM workers WHERE id = ?", [workerId]))?.code ?? "";
    const phone = async (workerId: number) =>
      (await sql().get<{ phone: string }>("SELECT phone FROM workers WHERE id = ?", [workerId]))?.phone ?? "";
    async function asWorker(workerId: number): Promise<string> {
      const cached = cookies.get(workerId);
      if (cached) return cached;
      const username = await code(workerId);
      const cookie = await th.login(username, th.workerPassword(username));
      cookies.set(workerId, cookie);
      return cookie;
    }
    const call = (cookie: string | null, method: "GET" | "POST", url: string, payload?: object) =>
      th.hub.app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload ? { payload } : {}) });
    const offersOf = (alarmId: number) =>
      sql().all<OfferRow>("SELECT * FROM dispatch_offers WHERE alarm_id = ? ORDER BY id", [alarmId]);
    const openOffer = async (alarmId: number) => (await offersOf(alarmId)).find((o) => o.status === "offered");
    const otherWorker = async (...not: number[]) =>
      (
        await sql().get<{ id: number }>(
          `SELECT id FROM workers WHERE on_duty = 1 AND id NOT IN (${not.map(() => "?").join(",")}) ORDER BY id LIMIT 1`,
          not,
        )
      )?.id ?? 0;

    async function pressSos(deviceIndex: number): Promise<{ alarmId: number; button: SimulatedButton }> {
      const credential = th.demoDevices[deviceIndex];
      if (!credential) throw new Error(`no demo device ${deviceIndex}`);
      const button = new SimulatedButton({
        mqttUrl: th.mqttUrl,
        deviceId: credential.deviceId,
        secret: credential.secret,
      });
      buttons.push(button);
      await button.start({ timeoutMs: 5000 });
      const ack = await button.press("sos");
      if (ack.alarmId === null) throw new Error("no alarm id");
      await th.waitForPipeline(ack.alarmId);
      return { alarmId: ack.alarmId, button };
    }

    it("writes demo worker logins (0600) and keeps the worker and operator APIs apart", async () => {
      const file = path.join(th.dataDir, "demo-workers.json");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const sheet = JSON.parse(fs.readFileSync(file, "utf8")) as { workers: { code: string; username: string }[] };
      const codes = (await sql().all<{ code: string }>("SELECT code FROM workers ORDER BY id")).map((w) => w.code);
      expect(sheet.workers.map((w) => w.username)).toEqual(codes);
      expect(sheet.workers.every((w) => w.username === w.code)).toBe(true);

      const workerId = 1;
      const worker = await asWorker(workerId);
      const me = await call(worker, "GET", "/api/worker/me");
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({
        user: { role: "worker", username: await code(workerId) },
        worker: { id: workerId },
      });

      for (const [cookie, method, url, status] of [
        [admin, "GET", "/api/worker/me", 403],
        [admin, "GET", "/api/worker/assignment", 403],
        [admin, "POST", "/api/worker/offers/1/accept", 403],
        [worker, "GET", "/api/alarms", 403],
        [worker, "POST", "/api/alarms/1/dispatch", 403],
        [null, "GET", "/api/worker/assignment", 401],
      ] as const) {
        const response = await call(cookie, method, url, method === "POST" ? { workerId: 1 } : undefined);
        expect({ url, status: response.statusCode }).toEqual({ url, status });
      }

      const moved = await call(worker, "POST", "/api/worker/position", { lat: 37.6, lng: 118.56, accuracyM: 12 });
      expect(moved.json().worker.position).toMatchObject({ lat: 37.6, lng: 118.56, accuracyM: 12 });
      expect((await call(worker, "POST", "/api/worker/duty", { onDuty: false })).json().worker.onDuty).toBe(false);
      expect((await call(worker, "POST", "/api/worker/duty", { onDuty: true })).json().worker.onDuty).toBe(true);
      const bad = await call(worker, "POST", "/api/worker/position", { lat: 120, lng: 0 });
      expect(bad.statusCode).toBe(400);
    });

    it("offers an SOS to the first ranked worker only; accepted and arrived show on the button", async () => {
      const { alarmId, button } = await pressSos(12);
      const offer = await openOffer(alarmId);
      if (!offer) throw new Error("no open offer");
      const mine = await asWorker(offer.worker_id);
      const someoneElse = await asWorker(await otherWorker(offer.worker_id));
      const resident = await sql().get<{ id: number; conditions: string; medications: string }>(
        "SELECT r.* FROM residents r JOIN alarms a ON a.resident_id = r.id WHERE a.id = ?",
        [alarmId],
      );
      if (!resident) throw new Error("no resident");

      // While offered: where to go and how to get in, but no health data yet.
      const offered = (await call(mine, "GET", "/api/worker/assignment")).json().assignment;
      expect(offered).toMatchObject({
        state: "offered",
        offer: { id: offer.id, status: "offered" },
        alarm: { id: alarmId },
      });
      expect(offered.alarm.geoUri).toMatch(/^geo:37\.\d+,118\.\d+\?q=/);
      expect(offered.alarm.mapUrl).toMatch(/^https:\/\/www\.openstreetmap\.org\/\?mlat=37\.\d+&mlon=118\.\d+/);
      expect(offered.alarm.keyHolder).toContain("邻居");
      expect(offered.resident.healthUrl).toBeNull();
      expect((await call(mine, "GET", `/api/worker/alarms/${alarmId}/health`)).statusCode).toBe(403);
      expect((await call(someoneElse, "GET", "/api/worker/assignment")).json().assignment).toBeNull();

      const stolen = await call(someoneElse, "POST", `/api/worker/offers/${offer.id}/accept`);
      expect(stolen.statusCode).toBe(403);
      expect(stolen.json().code).toBe("AUTH_FORBIDDEN");
      expect((await call(mine, "POST", "/api/worker/offers/999999/accept")).statusCode).toBe(404);

      const accepted = await call(mine, "POST", `/api/worker/offers/${offer.id}/accept`);
      expect(accepted.statusCode).toBe(200);
      expect(accepted.json().offer).toMatchObject({ id: offer.id, status: "accepted" });
      await waitFor(() => button.feedbackState === "dispatched", 3000, "dispatched feedback on the button");

      // Once assigned: health data on request, and an audit row per request saying who saw it.
      const assigned = (await call(mine, "GET", "/api/worker/assignment")).json().assignment;
      expect(assigned.state).toBe("accepted");
      expect(assigned.resident.healthUrl).toBe(`/api/worker/alarms/${alarmId}/health`);
      // Polling the assignment is not a view of health data.
      await call(mine, "GET", "/api/worker/assignment");
      expect((await call(someoneElse, "GET", assigned.resident.healthUrl)).statusCode).toBe(403);
      const health = (await call(mine, "GET", assigned.resident.healthUrl)).json().health;
      expect(health).toMatchObject({ conditions: resident.conditions, medications: resident.medications });
      expect(
        await sql().all("SELECT actor, target FROM audit_log WHERE action = 'health_data_viewed' AND target = ?", [
          `resident:${resident.id}`,
        ]),
      ).toEqual([{ actor: `user:${await code(offer.worker_id)}`, target: `resident:${resident.id}` }]);

      expect((await call(someoneElse, "POST", `/api/worker/alarms/${alarmId}/arrived`)).statusCode).toBe(403);
      const arrived = await call(mine, "POST", `/api/worker/alarms/${alarmId}/arrived`);
      expect(arrived.json().alarm).toMatchObject({ id: alarmId, status: "on_scene" });
      await waitFor(() => button.feedbackState === "arrived", 3000, "arrived feedback on the button");

      const noNote = await call(mine, "POST", `/api/worker/alarms/${alarmId}/resolve`, { outcome: "real" });
      expect(noNote.statusCode).toBe(400);
      const resolved = await call(mine, "POST", `/api/worker/alarms/${alarmId}/resolve`, {
        outcome: "real",
        note: "血压偏高，已陪同就医",
      });
      expect(resolved.json().alarm).toMatchObject({ status: "resolved", outcome: "real" });
      await waitFor(() => button.feedbackState === "closed", 3000, "closed feedback on the button");

      const detail = (await call(admin, "GET", `/api/alarms/${alarmId}`)).json().alarm;
      expect(detail.dispatch.ranking).toHaveLength(5);
      expect(detail.dispatch.ranking[0]).toMatchObject({ rank: 1, workerId: offer.worker_id, busy: false });
      expect(detail.dispatch.reason).toMatchObject({ code: "offer_ranked", params: { rank: 1 } });
      expect(detail.dispatch.clinicReason).toMatchObject({ code: "clinic_nearest", params: { sos: 1 } });
      expect(detail.dispatch.rankingNote).toBeNull();
      expect(detail.dispatch.offers).toEqual([expect.objectContaining({ id: offer.id, status: "accepted" })]);
      expect(detail.dispatch.acceptedAt).not.toBeNull();
      const byWorker = (detail.events as { type: string; actor: string }[]).filter((e) =>
        ["offer_accepted", "on_scene", "resolved"].includes(e.type),
      );
      expect(byWorker.map((e) => e.actor)).toEqual(Array(3).fill(`user:${await code(offer.worker_id)}`));
    });

    it("lets an operator dispatch by hand, withdrawing the open offer", async () => {
      const { alarmId } = await pressSos(15);
      const first = await openOffer(alarmId);
      if (!first) throw new Error("no open offer");
      const chosen = await otherWorker(first.worker_id);
      const response = await call(admin, "POST", `/api/alarms/${alarmId}/dispatch`, { workerId: chosen });
      expect(response.statusCode).toBe(200);
      const offer = response.json().offer;
      expect(offer).toMatchObject({ worker: { id: chosen }, status: "offered", offeredBy: "user:admin" });
      expect((await offersOf(alarmId)).map((o) => [o.worker_id, o.status, o.offered_by])).toEqual([
        [first.worker_id, "withdrawn", "system"],
        [chosen, "offered", "user:admin"],
      ]);
      const late = await call(await asWorker(first.worker_id), "POST", `/api/worker/offers/${first.id}/accept`);
      expect(late.statusCode).toBe(409);
      expect(late.json().code).toBe("OFFER_NOT_OPEN");

      const twilio = th.twilio;
      if (!twilio) throw new Error("no Twilio stand-in");
      const chosenPhone = await phone(chosen);
      const firstPhone = await phone(first.worker_id);
      await waitFor(
        () => twilio.messages.find((m) => m.to === chosenPhone && m.body.includes(`/worker/#/offers/${offer.id}`)),
        3000,
        "offer SMS to the chosen worker",
      );
      const withdrawn = await waitFor(
        () => twilio.messages.find((m) => m.to === firstPhone && m.body.includes(`#${alarmId}`)),
        3000,
        "withdrawal SMS to the first worker",
      );
      expect(withdrawn.body).toContain("已改派他人");

      const detail = (await call(admin, "GET", `/api/alarms/${alarmId}`)).json().alarm;
      expect(detail.dispatch.reason).toMatchObject({
        code: "offer_by_operator",
        params: { operator: "admin", workerCode: await code(chosen) },
      });
      // The withdrawn offer's note: coded, naming who reassigned it.
      expect(detail.dispatch.offers[0]).toMatchObject({
        status: "withdrawn",
        note: { code: "offer_withdrawn_reassigned", params: { actor: "user:admin" } },
      });
      expect(detail.worker.id).toBe(chosen);
      const events = (detail.events as { type: string; actor: string }[]).filter((e) => e.type.startsWith("offer_"));
      expect(events).toEqual([
        expect.objectContaining({ type: "offer_sent", actor: "system" }),
        expect.objectContaining({ type: "offer_withdrawn", actor: "user:admin" }),
        expect.objectContaining({ type: "offer_sent", actor: "user:admin" }),
      ]);

      const unknown = await call(admin, "POST", `/api/alarms/${alarmId}/dispatch`, { workerId: 99_999 });
      expect(unknown.json().code).toBe("WORKER_NOT_FOUND");
      await call(admin, "POST", `/api/alarms/${alarmId}/resolve`, { outcome: "false_alarm" });
      const closed = await call(admin, "POST", `/api/alarms/${alarmId}/dispatch`, { workerId: chosen });
      expect(closed.statusCode).toBe(409);
      expect((await offersOf(alarmId)).map((o) => o.status)).toEqual(["withdrawn", "withdrawn"]);
    });

    it("sends the clinic no health data when the resident's consent is not on record", async () => {
      // The demo seed records no consent for every fifth resident (KL-0010 is one).
      const { alarmId } = await pressSos(9);
      const row = await sql().get<{
        id: number;
        consent: string | null;
        conditions: string;
        medications: string;
        allergies: string;
      }>(
        "SELECT r.id, r.consent, r.conditions, r.medications, r.allergies FROM residents r JOIN alarms a ON a.resident_id = r.id WHERE a.id = ?",
        [alarmId],
      );
      if (!row) throw new Error("no resident");
      expect(row.consent).toBeNull();
      const clinicSms = (await sql().get<{ body: string }>(
        "SELECT body FROM outbox WHERE alarm_id = ? AND purpose = 'clinic'",
        [alarmId],
      )) ?? { body: "" };
      expect(clinicSms.body).toContain("未记录居民同意");
      for (const medical of [row.conditions, row.medications, row.allergies].filter((m) => m !== "无")) {
        expect(clinicSms.body).not.toContain(medical);
      }
      expect(
        await sql().get("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'health_data_disclosed' AND target = ?", [
          `resident:${row.id}`,
        ]),
      ).toEqual({ n: 0 });
    });

    it("passes an offer that expired while the hub was down to the next worker as soon as it is back", async () => {
      const { alarmId, button } = await pressSos(20);
      const first = await openOffer(alarmId);
      if (!first) throw new Error("no open offer");
      await button.stop();
      await th.hub.stop();
      // Two minutes pass while the hub is down: the stored deadline is now behind us.
      const offline = th.openDatabase();
      await offline.run("UPDATE dispatch_offers SET expires_at = ? WHERE id = ?", [
        new Date(Date.now() - 1000).toISOString(),
        first.id,
      ]);
      await offline.close();
      await th.restart();

      // The expired offer is passed on once the jobs run again (on PostgreSQL, once this hub leads them).
      const next = await waitFor(
        async () => {
          const open = await openOffer(alarmId);
          return open && open.id !== first.id ? open : undefined;
        },
        5000,
        "next offer after restart",
      );
      expect(next).toMatchObject({ rank: 2, offered_by: "system" });
      expect(next.worker_id).not.toBe(first.worker_id);
      expect((await offersOf(alarmId))[0]?.status).toBe("timed_out");
      const types = (
        await sql().all<{ type: string }>("SELECT type FROM alarm_events WHERE alarm_id = ? ORDER BY id", [alarmId])
      )
        .map((e) => e.type)
        .filter((type) => !type.startsWith("sms_"));
      expect(types.slice(-3)).toEqual(["offer_sent", "offer_timed_out", "offer_sent"]);
      admin = await th.login();
      cookies.clear();
    });
  });
}
