/**
 * A family update survives the hub stopping between the step and the SMS. The
 * step is taken by the hub's own worker-actions code on the hub's database
 * while no hub runs (so nothing can text it yet: the window is certain, not
 * raced); the trigger has queued the update in that same transaction, and the
 * restarted hub texts it exactly once, through the real twilio SDK.
 */

import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerActions } from "../hub/dispatch/worker-actions.ts";
import { createHubParts } from "../hub/hub-parts.ts";
import { hubStorage } from "../hub/hub-storage.ts";
import { createLogger } from "../hub/log.ts";
import { openDatabase } from "../hub/storage/database.ts";
import type { UserRow } from "../hub/storage/user-repo.ts";
import { type FamilyHub, startFamilyHub } from "./support/family-harness.ts";
import { waitFor } from "./support/test-hub.ts";

const A = { name: "王建国", phone: "+8613900000301" };
const B = { name: "Li Ming", phone: "+8613900000302", language: "en" as const };
const DEVICE = 20;

describe("family updates across a restart", () => {
  let h: FamilyHub | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("a step recorded while the hub is down is texted once the hub is back, exactly once per relative", async () => {
    h = await startFamilyHub();
    const hub = h;
    await hub.giveRelatives(DEVICE, [A, B]);
    const alarmId = await hub.press(DEVICE);
    const worker = await hub.accept(alarmId);
    await hub.smsCount(A.phone, 2, "on the way");
    await hub.smsCount(B.phone, 2, "on the way");

    // The hub stops; the worker's arrival is committed by the hub's own code on its database.
    await hub.th.hub.stop();
    const config = hub.th.hub.config;
    const logger = createLogger("silent");
    const db = openDatabase(path.join(config.dataDir, "anxin.db"), logger);
    const parts = createHubParts(hubStorage(db, logger), config, { logger, clock: () => new Date() });
    const user = db.prepare("SELECT * FROM users WHERE worker_id = ?").get(worker.workerId) as UserRow;
    await new WorkerActions(parts.dispatch).arrived(alarmId, user);
    // Queued by the trigger in the step's own transaction, and nothing texted yet.
    expect(
      db.prepare("SELECT type, done_at FROM family_updates_due WHERE alarm_id = ? ORDER BY event_id").all(alarmId),
    ).toEqual([
      { type: "offer_accepted", done_at: expect.any(String) },
      { type: "on_scene", done_at: null },
    ]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE purpose = 'family:arrived'").get()).toEqual({ n: 0 });
    db.close();

    await hub.th.restart();
    expect((await hub.smsCount(A.phone, 3, "arrived, after the restart"))[2]?.body).toContain(
      `社区工作人员${worker.name}已到达`,
    );
    expect((await hub.smsCount(B.phone, 3, "arrived, after the restart"))[2]?.body).toContain(
      `community worker ${worker.name} has arrived`,
    );

    // A second restart changes nothing: the update is done, and the outbox keys it once per relative and step.
    await hub.th.restart();
    await waitFor(
      () =>
        (
          hub.th.hub.db
            .prepare("SELECT COUNT(*) AS n FROM outbox WHERE alarm_id = ? AND status = 'pending'")
            .get(alarmId) as { n: number }
        ).n === 0,
      4000,
      "outbox drained",
    );
    expect(hub.th.hub.db.prepare("SELECT COUNT(*) AS n FROM family_updates_due WHERE done_at IS NULL").get()).toEqual({
      n: 0,
    });
    expect(hub.smsTo(A.phone)).toHaveLength(3);
    expect(hub.smsTo(B.phone)).toHaveLength(3);
  });
});
