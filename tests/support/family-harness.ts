/**
 * A real hub for families' updates (issue 10): the relatives' cascade harness
 * (real MQTT presses, the real twilio SDK against the local stand-in, a clock
 * the test moves) plus the steps people take — a worker accepting, arriving
 * and closing through the worker API with their demo login, an operator
 * cancelling through the console API — and the family links relatives got.
 */
import type { LightMyRequestResponse } from "fastify";
import type { FakeTwilioMessage } from "./fake-twilio.ts";
import { type CascadeHub, startCascadeHub } from "./relatives-harness.ts";
import { type TestHubOptions, waitFor } from "./test-hub.ts";

export const CENTER_PHONE = "0546-8123456";

export interface FamilyHub extends CascadeHub {
  /** The offered worker accepts through the worker API; returns who. */
  accept(alarmId: number): Promise<{ workerId: number; name: string }>;
  arrive(alarmId: number, workerId: number): Promise<void>;
  resolveAsWorker(alarmId: number, workerId: number, outcome: "real" | "false_alarm" | "test"): Promise<void>;
  /** An operator (the admin) calls the console API. */
  operator(method: "GET" | "POST" | "PATCH", url: string, payload?: object): Promise<LightMyRequestResponse>;
  /** The token in the relative's first SMS (its `/f/<token>` link). */
  tokenOf(phone: string): string;
  /** The clinic alerted for this alarm: its phone, once its alert was handed to Twilio. */
  alertedClinic(alarmId: number): Promise<string>;
  /** Waits until this number has received `n` messages; returns them in order. */
  smsCount(phone: string, n: number, what?: string): Promise<FakeTwilioMessage[]>;
}

export async function startFamilyHub(options: TestHubOptions = {}): Promise<FamilyHub> {
  const hub = await startCascadeHub({
    ...options,
    env: { ANXIN_CENTER_PHONE: CENTER_PHONE, ...options.env },
  });
  const db = () => hub.th.hub.db;
  const cookies = new Map<number, string>();
  let admin: string | null = null;

  async function asWorker(workerId: number): Promise<string> {
    const cached = cookies.get(workerId);
    if (cached) return cached;
    const { code } = db().prepare("SELECT code FROM workers WHERE id = ?").get(workerId) as { code: string };
    const cookie = await hub.th.login(code, hub.th.workerPassword(code));
    cookies.set(workerId, cookie);
    return cookie;
  }
  async function post(cookie: string, url: string, payload: object = {}): Promise<LightMyRequestResponse> {
    const response = await hub.th.hub.app.inject({ method: "POST", url, headers: { cookie }, payload });
    if (response.statusCode !== 200) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`);
    return response;
  }

  return {
    ...hub,
    async accept(alarmId) {
      const offer = await waitFor(
        () =>
          db()
            .prepare(
              "SELECT o.id, o.worker_id, w.name FROM dispatch_offers o JOIN workers w ON w.id = o.worker_id WHERE o.alarm_id = ? AND o.status = 'offered'",
            )
            .get(alarmId) as { id: number; worker_id: number; name: string } | undefined,
        4000,
        `an open offer for alarm ${alarmId}`,
      );
      await post(await asWorker(offer.worker_id), `/api/worker/offers/${offer.id}/accept`);
      return { workerId: offer.worker_id, name: offer.name };
    },
    async arrive(alarmId, workerId) {
      await post(await asWorker(workerId), `/api/worker/alarms/${alarmId}/arrived`);
    },
    async resolveAsWorker(alarmId, workerId, outcome) {
      await post(await asWorker(workerId), `/api/worker/alarms/${alarmId}/resolve`, { outcome, note: "已处理" });
    },
    async operator(method, url, payload) {
      admin ??= await hub.th.login();
      return hub.th.hub.app.inject({ method, url, headers: { cookie: admin }, ...(payload ? { payload } : {}) });
    },
    tokenOf(phone) {
      const first = hub.smsTo(phone)[0]?.body ?? "";
      const token = /\/f\/([A-Za-z0-9_-]{43})$/.exec(first)?.[1];
      if (!token) throw new Error(`no family link in the first SMS to ${phone}: ${first}`);
      return token;
    },
    alertedClinic(alarmId) {
      return waitFor(
        () =>
          (
            db()
              .prepare("SELECT recipient FROM outbox WHERE alarm_id = ? AND purpose = 'clinic' AND status = 'sent'")
              .get(alarmId) as { recipient: string } | undefined
          )?.recipient,
        4000,
        `the clinic alert of alarm ${alarmId}`,
      );
    },
    async smsCount(phone, n, what = `${n} SMS to ${phone}`) {
      await waitFor(() => hub.smsTo(phone).length >= n, 4000, what);
      return hub.smsTo(phone);
    },
  };
}
