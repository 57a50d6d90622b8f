/**
 * The copy under a backup (hub/storage/sqlite-backup.ts), in many small steps
 * while a real hub keeps committing presses between them: it must never start
 * over (SQLite restarts a backup whenever another connection commits, unless
 * the copy holds its snapshot), and it must hold exactly its snapshot: every
 * press stored before it began, and the row counts it read at that moment.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CopyProgress, copySnapshot } from "../hub/storage/sqlite-backup.ts";
import { connectBurst, type PressBurst, type ReceivedAck } from "./support/press-burst.ts";
import { startTestHub, type TestHub, waitFor } from "./support/test-hub.ts";

describe("a backup's copy holds one snapshot while presses commit between its steps", () => {
  let th: TestHub;
  let scratch: string;
  let burst: PressBurst;

  beforeAll(async () => {
    th = await startTestHub({ twilio: false });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "anxin-snapshot-"));
    burst = await connectBurst(th.mqttUrl, th.demoDevices.slice(0, 40));
  });
  afterAll(async () => {
    burst?.close();
    await th?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("never starts over, and has every press acked before it began", async () => {
    const credentials = th.demoDevices.slice(0, 40);
    let round = 0;
    let pressing = true;
    // A new round of test presses from every button as soon as the last round is acked, until the copy is done.
    const keepPressing = async () => {
      while (pressing) {
        const expected = burst.acks.length + credentials.length;
        burst.send(
          credentials.map(({ deviceId }) => ({
            deviceId,
            pressId: `snap-${deviceId}-${round}`,
            kind: "test",
            attempt: 1,
          })),
        );
        round++;
        await burst.waitForAcks(expected, 30_000);
      }
    };
    const presses = keepPressing();
    await waitFor(() => burst.acks.length >= 80, 30_000, "two rounds acked");
    const ackedBefore: ReceivedAck[] = [...burst.acks];

    const out = path.join(scratch, "copy.db");
    const steps: CopyProgress[] = [];
    const ackedAtFirstStep: number[] = [];
    const copied = await copySnapshot(path.join(th.dataDir, "anxin.db"), out, {
      pagesPerStep: 1,
      onProgress: (progress) => {
        const last = steps.at(-1);
        if (last && progress.remainingPages > last.remainingPages) {
          throw new Error(`the copy started over: ${last.remainingPages} pages left, then ${progress.remainingPages}`);
        }
        steps.push(progress);
        if (steps.length === 1) ackedAtFirstStep.push(burst.acks.length);
      },
    });
    const ackedAfter = burst.acks.length;
    pressing = false;
    await presses;

    // One page a step, a turn of the event loop between steps: the hub acked presses (so committed) meanwhile.
    expect(steps.length).toBeGreaterThan(50);
    expect(ackedAfter).toBeGreaterThan(ackedAtFirstStep[0] ?? Number.POSITIVE_INFINITY);
    const copy = new Database(out, { readonly: true });
    try {
      const has = copy.prepare("SELECT alarm_id FROM presses WHERE device_id = ? AND press_id = ?");
      const missing = ackedBefore.filter((a) => (has.get(a.deviceId, a.pressId) as unknown) === undefined);
      expect(missing, "presses acked before the copy began, not in it").toEqual([]);
      expect(copy.prepare("SELECT count(*) AS n FROM presses").get()).toEqual({ n: copied.counts.presses });
      expect(copy.prepare("SELECT count(*) AS n FROM alarms").get()).toEqual({ n: copied.counts.alarms });
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      copy.close();
    }
    // The hub stored more since: the copy is the snapshot, not the database now.
    const now = th.hub.db.prepare("SELECT count(*) AS n FROM presses").get() as { n: number };
    expect(now.n).toBeGreaterThan(copied.counts.presses ?? Number.POSITIVE_INFINITY);
  }, 120_000);
});
