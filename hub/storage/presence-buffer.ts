/**
 * Device presence (`online`, `last_seen_at`, battery, firmware), written
 * behind: every connect, status, heartbeat and press updates this map at once,
 * and the map reaches SQLite in batches, one transaction per flush (every
 * `flushMs`, or as soon as `maxPending` devices wait). A reconnecting fleet of
 * 20,000 buttons is then a few dozen commits, not 40,000 (issue 12).
 *
 * Readers see the current value either way: a lookup of one device lays its
 * pending values over the stored row (`overlay`), and a query over many rows
 * (supervision's scans, the registry's device lists) calls `flush()` first.
 * Nothing here is what an alarm's safety rests on: a press is stored and acked
 * in its own transaction, and faults are opened in supervision's. A crash loses
 * at most the last `flushMs` of presence: a `last_seen_at` or a battery reading
 * a second old, and an `online` flag that the next status, heartbeat or
 * connect sets again (silence is counted from the hub's start anyway).
 *
 * Writes never move a device back in time: `last_seen_at` only grows, a
 * battery or firmware reading older than the stored `last_seen_at` is not
 * applied, and `online` said by a connection older than the one the row
 * already speaks for (`connection_epoch`, broker/device-connections.ts) is not
 * applied either, whoever else wrote the row meanwhile: hubs that share the
 * database flush their buffers independently, and a device that moved from one
 * hub to another must not be left offline by the first hub's late flush.
 *
 * A flush takes what is pending and writes it on the storage port, one flush
 * at a time. While it is being written it is still laid over reads, and when
 * its transaction fails it goes back among the pending values (newer ones
 * arrived meanwhile win), so a failed flush loses nothing.
 */
import type { Logger } from "pino";
import type { SqlDatabase } from "./sql/sql-port.ts";

/** The device columns kept here. */
export interface PresenceColumns {
  online: number;
  /** The connection `online` was said by; absent where a query does not read it. */
  connection_epoch?: number | null;
  last_seen_at: string | null;
  battery: number | null;
  firmware?: string | null;
}

interface Pending {
  lastSeenAt: string;
  online: number | null;
  /** The connection that said `online` (null: not known; it is applied as the latest word). */
  connection: number | null;
  battery: number | null;
  /** When `battery` was read: a reading only lands if it is not older than what the row holds. */
  batteryAt: string | null;
  firmware: string | null;
}

export interface PresenceBufferOptions {
  flushMs: number;
  maxPending: number;
}

export const DEFAULT_PRESENCE_FLUSH: PresenceBufferOptions = { flushMs: 1000, maxPending: 2000 };

// Typed values: PostgreSQL cannot infer a parameter's type from `IS NOT NULL` alone.
const SAID_BY_LATEST = `CAST(@online AS BIGINT) IS NOT NULL
   AND (connection_epoch IS NULL OR CAST(@connection AS BIGINT) IS NULL OR connection_epoch <= CAST(@connection AS BIGINT))`;
// Every SET reads the row as it was before the UPDATE (SQLite and PostgreSQL alike).
const UPDATE_PRESENCE = `UPDATE devices SET
   online = CASE WHEN ${SAID_BY_LATEST} THEN CAST(@online AS BIGINT) ELSE online END,
   connection_epoch = CASE WHEN ${SAID_BY_LATEST} THEN COALESCE(CAST(@connection AS BIGINT), connection_epoch)
                           ELSE connection_epoch END,
   battery = CASE WHEN CAST(@battery AS BIGINT) IS NOT NULL
                   AND (last_seen_at IS NULL OR last_seen_at <= CAST(@batteryAt AS TEXT))
                  THEN CAST(@battery AS BIGINT) ELSE battery END,
   firmware = COALESCE(CAST(@firmware AS TEXT), firmware),
   last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < @lastSeenAt
                       THEN @lastSeenAt ELSE last_seen_at END
 WHERE id = @id`;

export class PresenceBuffer {
  private readonly sql: SqlDatabase;
  private readonly options: PresenceBufferOptions;
  private logger: Logger | null = null;
  private pending = new Map<string, Pending>();
  /** What the flush in progress is writing: still laid over reads until it is committed. */
  private writing: ReadonlyMap<string, Pending> | null = null;
  /** The last flush asked for: the next one starts once it settled. */
  private flushes: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private running = false;

  constructor(sql: SqlDatabase, options: PresenceBufferOptions = DEFAULT_PRESENCE_FLUSH) {
    this.sql = sql;
    this.options = options;
  }

  /** Flushes every `flushMs` from now on; before `start()` (CLI tools, tests) each write is flushed at once. */
  start(logger: Logger): void {
    this.logger = logger;
    this.running = true;
    this.timer = setInterval(() => void this.flushLater(), this.options.flushMs);
    this.timer.unref();
  }

  /** Writes what is pending and stops flushing by itself (the database is about to close). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = null;
    this.soon = null;
    await this.flush();
  }

  /** Devices whose presence is not in the database yet (pending, or in a flush not committed yet). */
  get pendingCount(): number {
    let count = this.pending.size;
    for (const id of this.writing?.keys() ?? []) if (!this.pending.has(id)) count += 1;
    return count;
  }

  /** The device was heard from (heartbeat or press); battery and firmware when it reported them. */
  seen(deviceId: string, at: string, battery: number | null, firmware: string | null): void {
    const entry = this.entry(deviceId, at);
    if (battery !== null && (entry.batteryAt === null || entry.batteryAt <= at)) {
      entry.battery = battery;
      entry.batteryAt = at;
    }
    if (firmware !== null) entry.firmware = firmware;
    this.written();
  }

  /** The device said it is online or offline (or the broker did, with its Last Will), through connection `connection`. */
  setOnline(deviceId: string, online: boolean, at: string, connection: number | null = null): void {
    const entry = this.entry(deviceId, at);
    if (entry.online === null || saysLater(connection, entry.connection)) {
      entry.online = online ? 1 : 0;
      entry.connection = connection ?? entry.connection;
    }
    this.written();
  }

  /** `row` as it stands once what is pending for its device is written. */
  overlay<T extends PresenceColumns>(deviceId: string, row: T): T {
    const beingWritten = this.writing?.get(deviceId);
    const pending = this.pending.get(deviceId);
    const written = beingWritten ? laidOver(row, beingWritten) : row;
    return pending ? laidOver(written, pending) : written;
  }

  /** Writes everything pending in one transaction, after any flush still running; resolves with how many devices. */
  flush(): Promise<number> {
    const run = this.flushes.then(
      () => this.writePending(),
      () => this.writePending(),
    );
    this.flushes = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<number> {
    if (this.pending.size === 0) return 0;
    const rows = this.pending;
    this.pending = new Map();
    this.writing = rows;
    try {
      await this.sql.transaction(async (tx) => {
        for (const [id, p] of rows) await tx.run(UPDATE_PRESENCE, { id, ...p });
      });
    } catch (error) {
      // Nothing of it was stored: back among the pending values, under anything newer that arrived meanwhile.
      this.restore(rows);
      throw error;
    } finally {
      this.writing = null;
    }
    return rows.size;
  }

  private restore(rows: ReadonlyMap<string, Pending>): void {
    for (const [id, older] of rows) {
      const newer = this.pending.get(id);
      this.pending.set(id, newer ? merged(older, newer) : older);
    }
  }

  /** A flush of its own: a database that cannot commit now keeps everything pending for the next one. */
  private async flushLater(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.logger?.error(
        { code: "STORAGE_FAILED", err: error, pending: this.pendingCount },
        "device presence could not be written; kept for the next flush",
      );
    }
  }

  private entry(deviceId: string, at: string): Pending {
    let entry = this.pending.get(deviceId);
    if (!entry) {
      entry = { lastSeenAt: at, online: null, connection: null, battery: null, batteryAt: null, firmware: null };
      this.pending.set(deviceId, entry);
    } else if (entry.lastSeenAt < at) {
      entry.lastSeenAt = at;
    }
    return entry;
  }

  private written(): void {
    if (!this.running) {
      void this.flushLater();
      return;
    }
    if (this.pending.size >= this.options.maxPending && !this.soon) {
      this.soon = setImmediate(() => {
        this.soon = null;
        void this.flushLater();
      });
    }
  }
}

/** `row` with a pending entry's values, by the same rules the UPDATE applies. */
function laidOver<T extends PresenceColumns>(row: T, pending: Pending): T {
  const stored = row.last_seen_at;
  const newer = stored === null || stored < pending.lastSeenAt;
  const batteryLands = pending.battery !== null && (stored === null || stored <= (pending.batteryAt ?? ""));
  const onlineLands = pending.online !== null && saysLater(pending.connection, row.connection_epoch ?? null);
  return {
    ...row,
    online: onlineLands ? (pending.online ?? row.online) : row.online,
    ...(onlineLands && pending.connection !== null && row.connection_epoch !== undefined
      ? { connection_epoch: pending.connection }
      : {}),
    last_seen_at: newer ? pending.lastSeenAt : stored,
    battery: batteryLands ? pending.battery : row.battery,
    ...(row.firmware === undefined ? {} : { firmware: pending.firmware ?? row.firmware }),
  };
}

/** The later of two ISO times (text: they compare as written). */
function laterIso(a: string, b: string): string {
  if (a < b) return b;
  return a;
}

/** One entry from an older one and the newer one that arrived after it (the newer wins where it says anything). */
function merged(older: Pending, newer: Pending): Pending {
  const newerBattery =
    newer.battery !== null && (older.batteryAt === null || (newer.batteryAt ?? "") >= older.batteryAt);
  const newerOnline = newer.online !== null && (older.online === null || saysLater(newer.connection, older.connection));
  return {
    lastSeenAt: laterIso(older.lastSeenAt, newer.lastSeenAt),
    online: newerOnline ? newer.online : older.online,
    connection: newerOnline ? (newer.connection ?? older.connection) : older.connection,
    battery: newerBattery ? newer.battery : older.battery,
    batteryAt: newerBattery ? newer.batteryAt : older.batteryAt,
    firmware: newer.firmware ?? older.firmware,
  };
}

/** Whether `online` said by connection `said` outranks what connection `held` said (unknown ones always do). */
function saysLater(said: number | null, held: number | null): boolean {
  return said === null || held === null || held <= said;
}
