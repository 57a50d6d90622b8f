/**
 * Operators' notes on an alarm (`POST /api/alarms/:id/notes`): stored as a
 * `note_added` event by the author, audited by migration 9's trigger, allowed
 * on a closed alarm, refused with a field error when blank or too long, and
 * pushed to every console over the WebSocket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlarmRepository } from "../hub/storage/alarm-repo.ts";
import { openConsoleFeed } from "./support/console-feed.ts";
import { createUser } from "./support/registry-app.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

let th: TestHub;
let operator: string;
let worker: string;

beforeAll(async () => {
  th = await startTestHub({ twilio: false });
  operator = await createUser(th, "note-operator", "operator");
  worker = await createUser(th, "note-worker", "worker");
});
afterAll(async () => {
  await th?.stop();
});

/**
 * A stored alarm on a demo device whose pipeline has finished (so the hub pushes
 * nothing more about it on its own), then put straight into `resolved` if asked.
 */
async function alarmIn(status: "open" | "resolved"): Promise<number> {
  const device = th.demoDevices[0];
  if (!device) throw new Error("the test hub seeded no demo devices");
  const id = await new AlarmRepository(th.hub.sql).insertAlarm(device.deviceId, "service", new Date().toISOString());
  await th.waitForPipeline(id);
  if (status === "resolved") {
    th.hub.db
      .prepare("UPDATE alarms SET status = 'resolved', outcome = 'real', resolved_at = ? WHERE id = ?")
      .run(new Date().toISOString(), id);
  }
  return id;
}

async function statusOf(alarmId: number): Promise<string | undefined> {
  return (await new AlarmRepository(th.hub.sql).get(alarmId))?.status;
}

async function notesOn(alarmId: number): Promise<string[]> {
  return (await new AlarmRepository(th.hub.sql).events(alarmId))
    .filter((e) => e.type === "note_added")
    .map((e) => (JSON.parse(e.detail ?? "{}") as { text: string }).text);
}

function postNote(cookie: string, alarmId: number, text: unknown) {
  return th.hub.app.inject({
    method: "POST",
    url: `/api/alarms/${alarmId}/notes`,
    headers: { cookie },
    payload: { text },
  });
}

describe("alarm notes", () => {
  it("stores a trimmed note as an event by its author, with an audit row", async () => {
    const alarmId = await alarmIn("open");
    const response = await postNote(operator, alarmId, "  Called the daughter; she is on her way.  ");
    expect(response.statusCode).toBe(200);
    expect(response.json().alarm).toMatchObject({ id: alarmId, status: await statusOf(alarmId) });

    const detail = await th.hub.app.inject({
      method: "GET",
      url: `/api/alarms/${alarmId}`,
      headers: { cookie: operator },
    });
    const notes = (detail.json().alarm.events as { type: string }[]).filter((e) => e.type === "note_added");
    expect(notes).toEqual([
      {
        at: expect.any(String),
        type: "note_added",
        actor: "user:note-operator",
        detail: { text: "Called the daughter; she is on her way." },
      },
    ]);
    const audit = th.hub.db
      .prepare("SELECT actor, action, target, detail FROM audit_log WHERE action = 'alarm_note_added' AND target = ?")
      .all(`alarm:${alarmId}`);
    expect(audit).toEqual([
      {
        actor: "user:note-operator",
        action: "alarm_note_added",
        target: `alarm:${alarmId}`,
        detail: JSON.stringify({ text: "Called the daughter; she is on her way." }),
      },
    ]);
  });

  it("accepts a note on a resolved alarm without changing its state", async () => {
    const alarmId = await alarmIn("resolved");
    const response = await postNote(operator, alarmId, "Visited on Tuesday, all well.");
    expect(response.statusCode).toBe(200);
    expect(response.json().alarm.status).toBe("resolved");
    // Only people's events: the hub's own pipeline may still be working on this bare alarm.
    const events = await new AlarmRepository(th.hub.sql).events(alarmId);
    const byPeople = events.filter((e) => e.actor.startsWith("user:"));
    expect(byPeople.map((e) => [e.type, e.actor])).toEqual([["note_added", "user:note-operator"]]);
  });

  it("refuses a blank or too long note with a field error, and an unknown alarm with 404", async () => {
    const alarmId = await alarmIn("open");
    for (const text of ["", "   \n  ", "x".repeat(1001)]) {
      const response = await postNote(operator, alarmId, text);
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body.code).toBe("VALIDATION_FAILED");
      expect(body.errors[0].field).toBe("body.text");
    }
    expect((await postNote(operator, alarmId, "x".repeat(1000))).statusCode).toBe(200);
    const missing = await postNote(operator, 999_999, "hello");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("ALARM_NOT_FOUND");
    // Nothing but the one valid note was stored.
    expect(await notesOn(alarmId)).toEqual(["x".repeat(1000)]);
  });

  it("is for console staff only", async () => {
    const alarmId = await alarmIn("open");
    expect((await postNote(worker, alarmId, "hello")).statusCode).toBe(403);
    expect((await postNote("anxin_session=forged", alarmId, "hello")).statusCode).toBe(401);
    expect(await notesOn(alarmId)).toEqual([]);
  });

  it("pushes the alarm to every console, so open details re-read the timeline", async () => {
    const alarmId = await alarmIn("open");
    const feed = await openConsoleFeed(th.wsUrl, operator);
    try {
      expect(feed.alarms.some((a) => a.id === alarmId)).toBe(false);
      expect((await postNote(operator, alarmId, "Neighbour has a key.")).statusCode).toBe(200);
      const pushed = await waitFor(
        () => feed.alarms.find((a) => a.id === alarmId),
        3000,
        "the alarm pushed after the note",
      );
      expect(pushed.status).toBe(await statusOf(alarmId));
    } finally {
      feed.close();
    }
  });
});
