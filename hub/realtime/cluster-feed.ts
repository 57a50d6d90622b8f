/**
 * Realtime across hubs: what one hub's consoles are told, the consoles on
 * every other hub are told too. On PostgreSQL a committed change is announced
 * with NOTIFY on one channel, each hub LISTENs, and a hub that hears another's
 * announcement marks the change for its own consoles, which read it back from
 * the shared database as they do their own (hub/http/console-push.ts). A hub
 * alone (SQLite) announces nothing.
 *
 * Announcements carry ids and the small fault and test records the console
 * push carries itself, gathered per turn of the event loop and cut to fit
 * PostgreSQL's 8000-byte payload. A console that reconnects (its hub died)
 * reloads its lists over HTTP, so an announcement missed meanwhile costs
 * nothing.
 */

import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { DeviceFault, DeviceTest } from "../../protocol/console/index.ts";
import type { EventBus } from "../events.ts";
import type { PostgresSql } from "../storage/sql/postgres-sql.ts";
import type { SqlDatabase } from "../storage/sql/sql-port.ts";

export interface ConsoleChanges {
  alarms: number[];
  faults: DeviceFault[];
  tests: DeviceTest[];
}

/** Where another hub's changes go: the console push's marks. */
export interface ConsoleChangeSink {
  alarmsChanged(alarmIds: readonly number[]): void;
  faultsChanged(faults: readonly DeviceFault[]): void;
  testsChanged(tests: readonly DeviceTest[]): void;
}

export interface ClusterFeed {
  /** Announces this hub's committed changes, and hands other hubs' to `sink`. */
  start(deps: { bus: EventBus; commits: Pick<SqlDatabase, "afterCommit">; sink: ConsoleChangeSink }): Promise<void>;
  stop(): Promise<void>;
}

/** One hub: nothing to tell anyone. */
export class SoleHubFeed implements ClusterFeed {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

export const CONSOLE_CHANNEL = "anxin_console";
/** Under PostgreSQL's 8000 bytes, with room for the envelope. */
const MAX_PAYLOAD_BYTES = 7000;

interface Announcement extends ConsoleChanges {
  origin: string;
}

export class PostgresClusterFeed implements ClusterFeed {
  private readonly sql: PostgresSql;
  private readonly logger: Logger;
  /** This hub, so it ignores its own announcements (its consoles were told already). */
  private readonly origin = randomUUID();
  private pending: ConsoleChanges = { alarms: [], faults: [], tests: [] };
  private flushing: NodeJS.Immediate | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private unsubscribes: (() => void)[] = [];

  constructor(deps: { sql: PostgresSql; logger: Logger }) {
    this.sql = deps.sql;
    this.logger = deps.logger;
  }

  async start(deps: {
    bus: EventBus;
    commits: Pick<SqlDatabase, "afterCommit">;
    sink: ConsoleChangeSink;
  }): Promise<void> {
    const { bus, commits, sink } = deps;
    this.unlisten = await this.sql.listen(CONSOLE_CHANNEL, (payload) => this.heard(payload, sink));
    this.unsubscribes = [
      bus.on("alarm.changed", ({ alarmId }) => commits.afterCommit(() => this.announce({ alarms: [alarmId] }))),
      bus.on("device.fault", ({ fault }) => commits.afterCommit(() => this.announce({ faults: [fault] }))),
      bus.on("device.test", ({ test }) => commits.afterCommit(() => this.announce({ tests: [test] }))),
    ];
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
    await this.flush();
    await this.unlisten?.();
    this.unlisten = null;
  }

  private announce(changes: Partial<ConsoleChanges>): void {
    this.pending.alarms.push(...(changes.alarms ?? []));
    this.pending.faults.push(...(changes.faults ?? []));
    this.pending.tests.push(...(changes.tests ?? []));
    this.flushing ??= setImmediate(() => {
      this.flushing = null;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const changes = this.pending;
    this.pending = { alarms: [], faults: [], tests: [] };
    for (const payload of payloads(this.origin, changes)) {
      try {
        await this.sql.notify(CONSOLE_CHANNEL, payload);
      } catch (error) {
        // Other hubs' consoles see it at their next reload; this hub's own were told already.
        this.logger.warn({ err: error, code: "CLUSTER_NOTIFY_FAILED" }, "could not tell the other hubs of a change");
      }
    }
  }

  private heard(payload: string, sink: ConsoleChangeSink): void {
    let announcement: Announcement;
    try {
      announcement = JSON.parse(payload) as Announcement;
    } catch {
      this.logger.warn({ code: "CLUSTER_NOTIFY_UNREADABLE" }, "an announcement on the console channel was not JSON");
      return;
    }
    if (announcement.origin === this.origin) return;
    if (announcement.alarms?.length) sink.alarmsChanged([...new Set(announcement.alarms)]);
    if (announcement.faults?.length) sink.faultsChanged(announcement.faults);
    if (announcement.tests?.length) sink.testsChanged(announcement.tests);
  }
}

/** The changes as announcements that each fit a payload; a record too big alone is left to the next reload. */
function payloads(origin: string, changes: ConsoleChanges): string[] {
  const out: string[] = [];
  let current: Announcement = { origin, alarms: [], faults: [], tests: [] };
  const size = (a: Announcement) => Buffer.byteLength(JSON.stringify(a));
  const push = (add: (a: Announcement) => void, remove: (a: Announcement) => void) => {
    add(current);
    if (size(current) <= MAX_PAYLOAD_BYTES) return;
    remove(current);
    if (current.alarms.length + current.faults.length + current.tests.length > 0) out.push(JSON.stringify(current));
    current = { origin, alarms: [], faults: [], tests: [] };
    add(current);
    if (size(current) > MAX_PAYLOAD_BYTES) remove(current);
  };
  for (const id of new Set(changes.alarms))
    push(
      (a) => a.alarms.push(id),
      (a) => a.alarms.pop(),
    );
  for (const fault of changes.faults)
    push(
      (a) => a.faults.push(fault),
      (a) => a.faults.pop(),
    );
  for (const test of changes.tests)
    push(
      (a) => a.tests.push(test),
      (a) => a.tests.pop(),
    );
  if (current.alarms.length + current.faults.length + current.tests.length > 0) out.push(JSON.stringify(current));
  return out;
}
