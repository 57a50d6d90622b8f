/**
 * What stands now, read at each scrape rather than kept up to date as it changes: open alarms by kind and
 * status, alarms nobody acknowledged in time, what waits in the outbox and for how long, open device faults,
 * from the database through its reads (hub/storage/metrics-reads.ts, SQLite and PostgreSQL alike); the
 * devices connected to this hub's broker, its live consoles and its pipeline's backlog, from the parts that
 * hold them; the SQLite write-ahead log's size from the file system.
 *
 * The database's figures are the database's, not this hub's: behind one PostgreSQL every hub reports the
 * same ones, so they are summed with `max`, never `sum` (docs/operations.md). A read that fails makes the
 * scrape fail (the route answers 500 and Prometheus marks the hub down): an outbox that cannot be read
 * must not look like an empty one.
 *
 * Known label values are always reported, 0 when nothing has them, so an alert sees 0 rather than nothing.
 */
import fs from "node:fs/promises";
import { Gauge, type Registry } from "prom-client";
import { FAULT_KINDS, OPEN_STATUS_ORDER } from "../../protocol/console/index.ts";
import type { Clock } from "../clock.ts";
import type { MetricsReads } from "../storage/metrics-reads.ts";
import { INCIDENT_KINDS, OUTBOX_CHANNELS } from "./flow-metrics.ts";

const OPEN_STATUSES = Object.keys(OPEN_STATUS_ORDER);
const ACKED_KINDS = INCIDENT_KINDS.filter((kind) => kind !== "test");

/** Figures other parts hold, read at each scrape. */
export interface LiveFigures {
  /** Distinct devices with an MQTT session on this hub's broker. */
  devicesConnected(): number;
  /** Presses in the pipeline now: received, not yet stored and acked (the intake gate). */
  pressesPending(): number;
  /** Alarms stored and waiting for their post-storage stages. */
  alarmsWaitingForStages(): number;
  /** Whether this hub runs the background jobs (the outbox sender, the watchers). */
  leadsJobs(): boolean;
}

export interface StateGaugeDeps {
  reads: MetricsReads;
  live: LiveFigures;
  clock: Clock;
  /** ANXIN_ACK_DEADLINE_S: an alarm unacknowledged longer is overdue. */
  ackDeadlineS: number;
  /** SQLite's write-ahead log (`anxin.db-wal`); null on PostgreSQL, where the hub keeps no log of its own. */
  walFile: string | null;
}

export class StateGauges {
  /** Live consoles on this hub; the realtime route hands over its count once the app is built. */
  private consoleCount: () => number = () => 0;

  constructor(registry: Registry, deps: StateGaugeDeps) {
    const registers = [registry];
    const { reads, live, clock } = deps;
    const ageS = (iso: string | null | undefined) =>
      iso ? Math.max(0, (clock().getTime() - Date.parse(iso)) / 1000) : 0;

    new Gauge({
      name: "anxin_alarms_open",
      help: "Open alarms by kind and status (the database's: the same on every hub of a cluster)",
      labelNames: ["kind", "status"],
      registers,
      async collect() {
        const rows = await reads.openAlarms();
        for (const kind of INCIDENT_KINDS) for (const status of OPEN_STATUSES) this.set({ kind, status }, 0);
        for (const row of rows) this.set({ kind: row.kind, status: row.status }, row.n);
      },
    });
    const readUnacknowledged = sharedRead(() =>
      reads.unacknowledged(new Date(clock().getTime() - deps.ackDeadlineS * 1000).toISOString()),
    );
    new Gauge({
      name: "anxin_alarms_unacknowledged_overdue",
      help: "Open alarms (not tests) no operator acknowledged within ANXIN_ACK_DEADLINE_S of being received",
      labelNames: ["kind"],
      registers,
      async collect() {
        const rows = await readUnacknowledged();
        for (const kind of ACKED_KINDS) this.set({ kind }, rows.find((row) => row.kind === kind)?.late ?? 0);
      },
    });
    new Gauge({
      name: "anxin_alarms_unacknowledged_oldest_age_seconds",
      help: "Age of the oldest open alarm (not a test) no operator has acknowledged; 0 when none waits",
      labelNames: ["kind"],
      registers,
      async collect() {
        const rows = await readUnacknowledged();
        for (const kind of ACKED_KINDS) this.set({ kind }, ageS(rows.find((row) => row.kind === kind)?.oldest));
      },
    });
    const deadline = new Gauge({
      name: "anxin_alarm_ack_deadline_seconds",
      help: "ANXIN_ACK_DEADLINE_S: an operator must acknowledge an alarm within this many seconds",
      registers,
    });
    deadline.set(deps.ackDeadlineS);

    const readOutbox = sharedRead(() => reads.pendingOutbox());
    new Gauge({
      name: "anxin_outbox_pending",
      help: "Messages waiting in the outbox (SMS, relatives' calls) by channel, retries included",
      labelNames: ["channel"],
      registers,
      async collect() {
        const rows = await readOutbox();
        for (const channel of OUTBOX_CHANNELS)
          this.set({ channel }, rows.find((row) => row.channel === channel)?.n ?? 0);
      },
    });
    new Gauge({
      name: "anxin_outbox_oldest_pending_age_seconds",
      help: "Age of the oldest message waiting in the outbox, by channel; 0 when none waits",
      labelNames: ["channel"],
      registers,
      async collect() {
        const rows = await readOutbox();
        for (const channel of OUTBOX_CHANNELS)
          this.set({ channel }, ageS(rows.find((row) => row.channel === channel)?.oldest));
      },
    });
    new Gauge({
      name: "anxin_device_faults_open",
      help: "Open device faults by kind (offline, silent, low_battery, test_failed)",
      labelNames: ["kind"],
      registers,
      async collect() {
        const rows = await reads.openFaults();
        for (const kind of FAULT_KINDS) this.set({ kind }, 0);
        for (const row of rows) this.set({ kind: row.kind }, row.n);
      },
    });

    new Gauge({
      name: "anxin_devices_connected",
      help: "Devices with an MQTT session on this hub's broker (summed over the hubs: the fleet connected)",
      registers,
      collect() {
        this.set(live.devicesConnected());
      },
    });
    const consoles = () => this.consoleCount();
    new Gauge({
      name: "anxin_console_clients",
      help: "Operator consoles with the live WebSocket open on this hub",
      registers,
      collect() {
        this.set(consoles());
      },
    });
    new Gauge({
      name: "anxin_intake_presses_pending",
      help: "Presses in this hub's pipeline: received, not yet stored and acked (bounded by ANXIN_INTAKE_MAX_PENDING)",
      registers,
      collect() {
        this.set(live.pressesPending());
      },
    });
    new Gauge({
      name: "anxin_pipeline_alarms_waiting",
      help: "Alarms stored on this hub and waiting for their post-storage stages (locate, relatives, dispatch, consoles)",
      registers,
      collect() {
        this.set(live.alarmsWaitingForStages());
      },
    });
    new Gauge({
      name: "anxin_jobs_leader",
      help: "1 when this hub runs the background jobs (the outbox sender, the watchers): always alone, one hub at a time on PostgreSQL",
      registers,
      collect() {
        this.set(live.leadsJobs() ? 1 : 0);
      },
    });
    const walFile = deps.walFile;
    if (walFile !== null) {
      new Gauge({
        name: "anxin_sqlite_wal_bytes",
        help: "Size of SQLite's write-ahead log (anxin.db-wal); it grows while a checkpoint cannot finish",
        registers,
        async collect() {
          this.set(await fileSize(walFile));
        },
      });
    }
  }

  /** The realtime route's count of its open sockets (hub/http/routes/realtime-routes.ts). */
  countConsoles(count: () => number): void {
    this.consoleCount = count;
  }
}

/**
 * One read for the gauges of one scrape that show two figures of it: prom-client collects every metric at
 * once, so the first collect reads and the others of the same scrape share its answer.
 */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= read().finally(() =>
      setImmediate(() => {
        pending = null;
      }),
    );
    return pending;
  };
}

/** A file's size; 0 while it does not exist (SQLite removes the log when the last connection closes). */
async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
}
