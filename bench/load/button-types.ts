/** What the button workers and the orchestrator say to each other (over Node's IPC channel). */
import type { ButtonCredential } from "./district.ts";

export type PressKind = "sos" | "service" | "test";

export interface ReconnectPolicy {
  /**
   * `protocol`: docs/protocol.md "Reconnecting" (a random wait, its bound growing from 2 s by 1.5 per failed
   * attempt to 30 s; firmware-sim/reconnect-backoff.ts); `fixed`: every fixedMs, what the simulator and
   * gateway did before issue 12.
   */
  mode: "protocol" | "fixed";
  fixedMs: number;
}

export interface WorkerInit {
  type: "init";
  workerIndex: number;
  host: string;
  port: number;
  /** `--tls`: the CA (PEM) the buttons trust, connecting over TLS; null: plain MQTT. */
  tlsCa: string | null;
  /** Bare brokers: the button also subscribes to its own `alarm` topic and takes the broker's relay of it as the ack. */
  relay: boolean;
  buttons: { credential: ButtonCredential; localAddress: string }[];
  keepaliveS: number;
  /** 0 = no heartbeats (PINGREQ only). */
  heartbeatS: number;
  reconnect: ReconnectPolicy;
  /** A tag that makes press ids unique across runs on one database. */
  runTag: string;
}

export type PressPlan =
  /** `rate` presses/s (this worker's share) for durationMs, round robin over the buttons. */
  | { type: "open"; rate: number; durationMs: number; kind: PressKind }
  /** `inflight` presses outstanding at all times for durationMs: each ack starts the next press. */
  | { type: "closed"; inflight: number; durationMs: number; kind: PressKind }
  /** Every button (or the first `count`) presses once at a uniformly random moment within windowMs. */
  | { type: "burst"; windowMs: number; kind: PressKind; count?: number };

export type WorkerCommand =
  | WorkerInit
  | { type: "connect" }
  | { type: "phase" }
  | { type: "press"; plan: PressPlan }
  | { type: "report"; includeSamples: boolean }
  | { type: "verify"; dbFile: string }
  | { type: "stop-pressing" }
  | { type: "halt" }
  | { type: "exit" };

export interface WorkerStatus {
  type: "status";
  workerIndex: number;
  buttons: number;
  ready: number;
  /** Presses not yet acknowledged. */
  pending: number;
  presses: number;
  acked: number;
  retries: number;
  pressingDone: boolean;
  /** Epoch ms of the first and last time a button became ready since the last `phase`; NaN if none. */
  firstReadyAt: number;
  lastReadyAt: number;
  /** Buttons that became ready at least once since the last `phase`. */
  readySincePhase: number;
  /** Buttons not ready: without a connection (waiting to retry), waiting for CONNACK, for SUBACK. */
  waiting: number;
  connecting: number;
  subscribing: number;
  cpuMs: number;
}

export interface WorkerReport {
  type: "report";
  workerIndex: number;
  presses: number;
  acked: number;
  unacked: number;
  retries: number;
  duplicateAcks: number;
  /** The same press acked with two different alarm ids: a duplicated alarm. */
  ackConflicts: number;
  refusedConnacks: number;
  refusedSubscriptions: number;
  errorsReceived: number;
  feedbackReceived: number;
  disconnects: number;
  /** Per acked press: press time (epoch ms), ack latency (ms), alarm id (0 for the bare brokers). */
  pressAt: number[];
  ackMs: number[];
  alarmIds: number[];
  /** Epoch ms at which the ack of each acked press arrived, same order. */
  ackAt: number[];
  cpuMs: number;
}

export interface WorkerVerify {
  type: "verify";
  workerIndex: number;
  checked: number;
  /** Acked, yet not in the database: a broken guarantee. */
  ackedNotStored: number;
  /** Never acked, and not in the database. */
  unackedNotStored: number;
  /** Never acked, but stored (the ack was lost or late). */
  unackedStored: number;
  /** Stored under another alarm than the ack said. */
  alarmMismatch: number;
  error?: string;
}

export type WorkerMessage = WorkerStatus | WorkerReport | WorkerVerify | { type: "ready-to-work"; workerIndex: number };
