/**
 * A button worker: a child process of the load bench running a share of the
 * fleet (raw-button.ts), so the load generator is never the bottleneck. It
 * takes commands over Node's IPC channel (button-types.ts), reports its status
 * every second, and at the end of a phase reports every press, and checks its
 * presses against the hub's database (opened read-only).
 */
import tls from "node:tls";
import Database from "better-sqlite3";
import type { PressPlan, WorkerCommand, WorkerInit, WorkerMessage, WorkerReport } from "./button-types.ts";
import { PressDriver } from "./press-driver.ts";
import { type ButtonHost, type Press, RawButton } from "./raw-button.ts";

interface PressRow {
  deviceId: string;
  pressId: string;
  pressAt: number;
  ackAt: number;
  alarmId: number;
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

class ButtonWorker implements ButtonHost {
  readonly relay: boolean;
  readonly host: string;
  readonly port: number;
  readonly tlsContext: tls.SecureContext | null;
  readonly keepaliveS: number;
  readonly reconnect: WorkerInit["reconnect"];
  private readonly init: WorkerInit;
  private readonly buttons: RawButton[];
  private readonly driver: PressDriver;
  private readonly readyButtons = new Set<RawButton>();
  private readonly readySincePhase = new Set<RawButton>();
  private readonly rows = new Map<string, PressRow>();
  private readonly ackedAlarm = new Map<string, number>();
  private pressCounter = 0;
  private counters = this.zeroCounters();
  private firstReadyAt = Number.NaN;
  private lastReadyAt = Number.NaN;

  constructor(init: WorkerInit) {
    this.init = init;
    this.relay = init.relay;
    this.host = init.host;
    this.port = init.port;
    this.tlsContext = init.tlsCa === null ? null : tls.createSecureContext({ ca: init.tlsCa });
    this.keepaliveS = init.keepaliveS;
    this.reconnect = init.reconnect;
    this.buttons = init.buttons.map((b) => new RawButton(b.credential, b.localAddress, this));
    this.driver = new PressDriver(this.buttons, (button, kind) => this.pressOne(button, kind));
    const ticker = setInterval(() => {
      const now = Date.now();
      const heartbeatMs = init.heartbeatS * 1000;
      for (const button of this.buttons) button.tick(now, heartbeatMs);
      this.status();
    }, 1000);
    ticker.unref();
  }

  private zeroCounters() {
    return {
      presses: 0,
      acked: 0,
      retries: 0,
      duplicateAcks: 0,
      ackConflicts: 0,
      refusedConnacks: 0,
      refusedSubscriptions: 0,
      errorsReceived: 0,
      feedbackReceived: 0,
      disconnects: 0,
    };
  }

  connect(): void {
    for (const button of this.buttons) button.connect();
  }

  phase(): void {
    this.counters = this.zeroCounters();
    this.rows.clear();
    this.ackedAlarm.clear();
    this.readySincePhase.clear();
    this.firstReadyAt = Number.NaN;
    this.lastReadyAt = Number.NaN;
  }

  press(plan: PressPlan): void {
    this.driver.start(plan);
  }

  private pressOne(button: RawButton, kind: PressPlan["kind"]): void {
    this.pressCounter += 1;
    const pressId = `lb${this.init.runTag}w${this.init.workerIndex}n${this.pressCounter}`;
    const press = button.press(kind, pressId);
    this.counters.presses += 1;
    this.rows.set(pressId, {
      deviceId: button.deviceId,
      pressId,
      pressAt: press.pressAt,
      ackAt: Number.NaN,
      alarmId: 0,
    });
  }

  ready(button: RawButton, at: number): void {
    this.readyButtons.add(button);
    this.readySincePhase.add(button);
    if (!(this.firstReadyAt <= at)) this.firstReadyAt = at;
    if (!(this.lastReadyAt >= at)) this.lastReadyAt = at;
  }

  disconnected(button: RawButton): void {
    this.readyButtons.delete(button);
    this.counters.disconnects += 1;
  }

  acked(_button: RawButton, press: Press, at: number, alarmId: number, duplicate: boolean): void {
    this.ackedAlarm.set(press.pressId, alarmId);
    // A press of an earlier phase (still pending when this one began) is not this phase's to count.
    const row = this.rows.get(press.pressId);
    if (!row) return;
    this.driver.acked();
    row.ackAt = at;
    row.alarmId = alarmId;
    this.counters.acked += 1;
    if (duplicate) this.counters.duplicateAcks += 1;
  }

  lateAck(_button: RawButton, pressId: string, alarmId: number): void {
    const first = this.ackedAlarm.get(pressId);
    if (first !== undefined && first !== alarmId && !this.relay) this.counters.ackConflicts += 1;
  }

  retried(): void {
    this.counters.retries += 1;
  }

  refused(): void {
    this.counters.refusedConnacks += 1;
  }

  subscriptionRefused(): void {
    this.counters.refusedSubscriptions += 1;
  }

  hubMessage(kind: "feedback" | "error" | "command"): void {
    if (kind === "feedback") this.counters.feedbackReceived += 1;
    else if (kind === "error") this.counters.errorsReceived += 1;
  }

  pending(): number {
    let total = 0;
    for (const button of this.buttons) total += button.pending.size;
    return total;
  }

  status(): void {
    const cpu = process.cpuUsage();
    const stages = { waiting: 0, connecting: 0, subscribing: 0, ready: 0 };
    for (const button of this.buttons) stages[button.stage] += 1;
    send({
      type: "status",
      workerIndex: this.init.workerIndex,
      buttons: this.buttons.length,
      ready: this.readyButtons.size,
      pending: this.pending(),
      presses: this.counters.presses,
      acked: this.counters.acked,
      retries: this.counters.retries,
      pressingDone: this.driver.done,
      firstReadyAt: this.firstReadyAt,
      lastReadyAt: this.lastReadyAt,
      readySincePhase: this.readySincePhase.size,
      waiting: stages.waiting,
      connecting: stages.connecting,
      subscribing: stages.subscribing,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  }

  report(includeSamples: boolean): WorkerReport {
    const acked = [...this.rows.values()].filter((row) => Number.isFinite(row.ackAt));
    const cpu = process.cpuUsage();
    return {
      type: "report",
      workerIndex: this.init.workerIndex,
      ...this.counters,
      unacked: this.rows.size - acked.length,
      pressAt: includeSamples ? acked.map((row) => row.pressAt) : [],
      ackMs: includeSamples ? acked.map((row) => row.ackAt - row.pressAt) : [],
      alarmIds: includeSamples ? acked.map((row) => row.alarmId) : [],
      ackAt: includeSamples ? acked.map((row) => row.ackAt) : [],
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  }

  verify(dbFile: string): WorkerMessage {
    const result = {
      type: "verify" as const,
      workerIndex: this.init.workerIndex,
      checked: 0,
      ackedNotStored: 0,
      unackedNotStored: 0,
      unackedStored: 0,
      alarmMismatch: 0,
    };
    try {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        const lookup = db.prepare("SELECT alarm_id AS alarmId FROM presses WHERE device_id = ? AND press_id = ?");
        for (const row of this.rows.values()) {
          result.checked += 1;
          const stored = lookup.get(row.deviceId, row.pressId) as { alarmId: number | null } | undefined;
          const wasAcked = Number.isFinite(row.ackAt);
          if (!stored) {
            if (wasAcked) result.ackedNotStored += 1;
            else result.unackedNotStored += 1;
          } else if (!wasAcked) result.unackedStored += 1;
          else if ((stored.alarmId ?? 0) !== row.alarmId) result.alarmMismatch += 1;
        }
      } finally {
        db.close();
      }
      return result;
    } catch (error) {
      return { ...result, error: error instanceof Error ? error.message : String(error) };
    }
  }

  stopPressing(): void {
    this.driver.stop();
  }

  halt(): void {
    this.driver.stop();
    for (const button of this.buttons) button.halt();
  }

  close(): void {
    for (const button of this.buttons) button.close();
  }
}

let worker: ButtonWorker | null = null;

process.on("message", (command: WorkerCommand) => {
  if (command.type === "init") {
    worker = new ButtonWorker(command);
    send({ type: "ready-to-work", workerIndex: command.workerIndex });
    return;
  }
  if (!worker) return;
  switch (command.type) {
    case "connect":
      worker.connect();
      break;
    case "phase":
      worker.phase();
      break;
    case "press":
      worker.press(command.plan);
      break;
    case "report":
      send(worker.report(command.includeSamples));
      break;
    case "verify":
      send(worker.verify(command.dbFile));
      break;
    case "stop-pressing":
      worker.stopPressing();
      break;
    case "halt":
      worker.halt();
      break;
    case "exit":
      worker.close();
      process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
