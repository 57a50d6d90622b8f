/**
 * The orchestrator's side of the button fleet: the button workers (child
 * processes running button-worker-main.ts), each with a share of the buttons,
 * every button bound to its own loopback source address (127.c.b.a), so the
 * hub's per-address guards see a fleet of homes, not one machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type {
  PressPlan,
  ReconnectPolicy,
  WorkerCommand,
  WorkerMessage,
  WorkerReport,
  WorkerStatus,
  WorkerVerify,
} from "./button-types.ts";
import type { ButtonCredential } from "./district.ts";
import { REPO_ROOT } from "./hub-process.ts";
import { withFdLimit } from "./proc-stats.ts";
import { sleep } from "./stats.ts";

export interface FleetOptions {
  host: string;
  port: number;
  /** `--tls`: the CA (PEM) the buttons trust; null: plain MQTT. */
  tlsCa: string | null;
  relay: boolean;
  credentials: readonly ButtonCredential[];
  workers: number;
  keepaliveS: number;
  heartbeatS: number;
  reconnect: ReconnectPolicy;
  runTag: string;
  /** Offset into the address space, so fleets started one after another do not reuse addresses in TIME_WAIT. */
  addressOffset: number;
}

/** The i-th home's source address: 127.c.b.a with a in 1..254, c from 1. */
export function sourceAddress(i: number): string {
  const a = (i % 254) + 1;
  const b = Math.floor(i / 254) % 256;
  const c = 1 + Math.floor(i / (254 * 256));
  return `127.${c}.${b}.${a}`;
}

export interface FleetReport extends Omit<WorkerReport, "type" | "workerIndex"> {
  workerCpuMs: number;
}

export type FleetVerify = Omit<WorkerVerify, "type" | "workerIndex">;

export class ButtonFleet {
  readonly size: number;
  private readonly children: ChildProcess[] = [];
  private readonly statuses = new Map<number, WorkerStatus>();
  private readonly waiters = new Map<
    string,
    { resolve: (message: WorkerMessage) => void; reject: (e: Error) => void }[]
  >();
  private readonly exited = new Set<number>();
  private closing = false;

  private constructor(size: number) {
    this.size = size;
  }

  static async start(options: FleetOptions): Promise<ButtonFleet> {
    const fleet = new ButtonFleet(options.credentials.length);
    const workers = Math.max(1, Math.min(options.workers, options.credentials.length));
    const script = path.join(REPO_ROOT, "bench/load/button-worker-main.ts");
    const ready: Promise<WorkerMessage>[] = [];
    for (let w = 0; w < workers; w += 1) {
      const { command, args } = withFdLimit(process.execPath, ["--import", "tsx", script]);
      const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"] });
      fleet.children.push(child);
      child.on("message", (message: WorkerMessage) => fleet.receive(message));
      child.on("exit", (code) => fleet.workerExited(w, code));
      ready.push(fleet.expect("ready-to-work", w));
      const buttons = options.credentials
        .map((credential, i) => ({ credential, localAddress: sourceAddress(i + options.addressOffset) }))
        .filter((_, i) => i % workers === w);
      child.send({
        type: "init",
        workerIndex: w,
        host: options.host,
        port: options.port,
        tlsCa: options.tlsCa,
        relay: options.relay,
        buttons,
        keepaliveS: options.keepaliveS,
        heartbeatS: options.heartbeatS,
        reconnect: options.reconnect,
        runTag: options.runTag,
      } satisfies WorkerCommand);
    }
    await Promise.all(ready);
    return fleet;
  }

  get pids(): number[] {
    return this.children.map((child) => child.pid ?? 0).filter((pid) => pid > 0);
  }

  /** A worker that dies fails whatever waits for it, rather than hanging the bench. */
  private workerExited(workerIndex: number, code: number | null): void {
    this.exited.add(workerIndex);
    if (!this.closing) process.stderr.write(`  button worker ${workerIndex} exited (code ${code})\n`);
    for (const [key, waiting] of this.waiters) {
      if (!key.endsWith(`:${workerIndex}`)) continue;
      this.waiters.delete(key);
      for (const waiter of waiting) waiter.reject(new Error(`button worker ${workerIndex} exited (code ${code})`));
    }
  }

  private receive(message: WorkerMessage): void {
    if (message.type === "status") this.statuses.set(message.workerIndex, message);
    const key = `${message.type}:${message.workerIndex}`;
    const waiting = this.waiters.get(key);
    if (waiting) {
      this.waiters.delete(key);
      for (const waiter of waiting) waiter.resolve(message);
    }
  }

  private expect(type: string, workerIndex: number): Promise<WorkerMessage> {
    const key = `${type}:${workerIndex}`;
    if (this.exited.has(workerIndex)) return Promise.reject(new Error(`button worker ${workerIndex} exited`));
    return new Promise((resolve, reject) =>
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), { resolve, reject }]),
    );
  }

  private broadcast(command: WorkerCommand): void {
    for (const child of this.children) if (child.connected) child.send(command);
  }

  /** Fresh statuses from every worker (sent after this call). */
  async status(): Promise<WorkerStatus[]> {
    return Promise.all(this.children.map((_, w) => this.expect("status", w) as Promise<WorkerStatus>));
  }

  /** Sums of the latest statuses. */
  async totals() {
    const statuses = await this.status();
    const sum = (pick: (s: WorkerStatus) => number) => statuses.reduce((total, s) => total + pick(s), 0);
    const finite = (values: number[]) => values.filter(Number.isFinite);
    return {
      ready: sum((s) => s.ready),
      readySincePhase: sum((s) => s.readySincePhase),
      waiting: sum((s) => s.waiting),
      connecting: sum((s) => s.connecting),
      subscribing: sum((s) => s.subscribing),
      pending: sum((s) => s.pending),
      presses: sum((s) => s.presses),
      acked: sum((s) => s.acked),
      retries: sum((s) => s.retries),
      pressingDone: statuses.every((s) => s.pressingDone),
      lastReadyAt: Math.max(...finite(statuses.map((s) => s.lastReadyAt)), Number.NEGATIVE_INFINITY),
      cpuMs: sum((s) => s.cpuMs),
    };
  }

  /** Starts a phase: counters and press records start from zero. */
  phase(): void {
    this.broadcast({ type: "phase" });
  }

  connect(): void {
    this.broadcast({ type: "connect" });
  }

  /** A plan for the whole fleet: rates and in-flight counts are split between the workers. */
  press(plan: PressPlan): void {
    const n = this.children.length;
    this.children.forEach((child, w) => {
      const share =
        plan.type === "open"
          ? { ...plan, rate: plan.rate / n }
          : plan.type === "closed"
            ? { ...plan, inflight: Math.floor(plan.inflight / n) + (w < plan.inflight % n ? 1 : 0) }
            : plan.count === undefined
              ? plan
              : { ...plan, count: Math.floor(plan.count / n) + (w < plan.count % n ? 1 : 0) };
      if (child.connected) child.send({ type: "press", plan: share } satisfies WorkerCommand);
    });
  }

  async report(includeSamples: boolean): Promise<FleetReport> {
    const replies = this.children.map((_, w) => this.expect("report", w) as Promise<WorkerReport>);
    this.broadcast({ type: "report", includeSamples });
    const reports = await Promise.all(replies);
    const sum = (pick: (r: WorkerReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
    const concat = (pick: (r: WorkerReport) => number[]) => reports.flatMap(pick);
    return {
      presses: sum((r) => r.presses),
      acked: sum((r) => r.acked),
      unacked: sum((r) => r.unacked),
      retries: sum((r) => r.retries),
      duplicateAcks: sum((r) => r.duplicateAcks),
      ackConflicts: sum((r) => r.ackConflicts),
      refusedConnacks: sum((r) => r.refusedConnacks),
      refusedSubscriptions: sum((r) => r.refusedSubscriptions),
      errorsReceived: sum((r) => r.errorsReceived),
      feedbackReceived: sum((r) => r.feedbackReceived),
      disconnects: sum((r) => r.disconnects),
      pressAt: concat((r) => r.pressAt),
      ackMs: concat((r) => r.ackMs),
      alarmIds: concat((r) => r.alarmIds),
      ackAt: concat((r) => r.ackAt),
      cpuMs: sum((r) => r.cpuMs),
      workerCpuMs: sum((r) => r.cpuMs),
    };
  }

  async verify(dbFile: string): Promise<FleetVerify> {
    const replies = this.children.map((_, w) => this.expect("verify", w) as Promise<WorkerVerify>);
    this.broadcast({ type: "verify", dbFile });
    const results = await Promise.all(replies);
    const sum = (pick: (r: WorkerVerify) => number) => results.reduce((total, r) => total + pick(r), 0);
    const error = results.find((r) => r.error)?.error;
    return {
      checked: sum((r) => r.checked),
      ackedNotStored: sum((r) => r.ackedNotStored),
      unackedNotStored: sum((r) => r.unackedNotStored),
      unackedStored: sum((r) => r.unackedStored),
      alarmMismatch: sum((r) => r.alarmMismatch),
      ...(error ? { error } : {}),
    };
  }

  /** Ends the current press plan early; pending presses keep being retried. */
  stopPressing(): void {
    this.broadcast({ type: "stop-pressing" });
  }

  /** Stops pressing and reconnecting; sockets stay open until close(). */
  halt(): void {
    this.broadcast({ type: "halt" });
  }

  async close(): Promise<void> {
    this.closing = true;
    const exits = this.children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once("exit", () => resolve());
        }),
    );
    this.broadcast({ type: "exit" });
    const timer = setTimeout(() => {
      for (const child of this.children) child.kill("SIGKILL");
    }, 10_000);
    await Promise.all(exits);
    clearTimeout(timer);
    await sleep(0);
  }
}
