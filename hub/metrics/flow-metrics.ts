/**
 * What flows through the hub, counted where it happens: alarms stored (from the bus), each pipeline
 * stage's time and each press's time to its ack (the pipeline's own timing, through `PipelineMeter`), an
 * operator's time to acknowledge (from the bus), and the outbox's answers from the provider (from the
 * bus). On the hot path each is a counter's or a histogram's increment; only an operator's
 * acknowledgement, a person's action, reads its alarm back.
 *
 * Every label takes values from a small set written in code (kinds, sources, stages, channels,
 * outcomes): never a device id, an alarm id or a phone number. Each series is made at zero when the
 * hub starts, so the first event is already an increase to Prometheus.
 */
import { Counter, Histogram, type Registry } from "prom-client";
import { ALARM_KINDS, type AlarmKind } from "../../protocol/index.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository, AlarmSource, IncidentKind } from "../storage/alarm-repo.ts";
import type { OutboxChannel } from "../storage/outbox-repo.ts";

export const INCIDENT_KINDS = ["sos", "service", "test"] as const satisfies readonly IncidentKind[];
export const ALARM_SOURCES = ["button", "voice"] as const satisfies readonly AlarmSource[];
export const OUTBOX_CHANNELS = ["sms", "voice"] as const satisfies readonly OutboxChannel[];
const OUTBOX_OUTCOMES = ["sent", "failed", "retried"] as const;

/** A stage runs in well under a millisecond to a few (a savepoint, an fsync-free write); seconds are trouble. */
const STAGE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The goal is an ack within 20 ms (docs/performance.md); a device retries after 2 s without one. */
const ACK_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
/** The KPI is an operator's acknowledgement within 60 s (ANXIN_ACK_DEADLINE_S by default). */
const OPERATOR_ACK_BUCKETS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800];

export class FlowMetrics {
  private readonly alarmsReceived: Counter<"kind" | "source">;
  private readonly stageSeconds: Histogram<"stage">;
  private readonly stageFailures: Counter<"stage">;
  private readonly pressAck: Histogram<"kind">;
  private readonly operatorAck: Histogram<"kind">;
  private readonly outboxMessages: Counter<"channel" | "outcome">;
  private readonly alarms: Pick<AlarmRepository, "get">;
  private unsubscribes: (() => void)[] = [];

  constructor(registry: Registry, deps: { alarms: Pick<AlarmRepository, "get">; stages: readonly string[] }) {
    const registers = [registry];
    this.alarms = deps.alarms;
    this.alarmsReceived = new Counter({
      name: "anxin_alarms_received_total",
      help: "New alarms stored (a press or a call that opened an incident; presses that joined one are not counted)",
      labelNames: ["kind", "source"],
      registers,
    });
    for (const kind of INCIDENT_KINDS)
      for (const source of ALARM_SOURCES) this.alarmsReceived.labels({ kind, source }).inc(0);
    this.stageSeconds = new Histogram({
      name: "anxin_pipeline_stage_seconds",
      help: "Time of one run of one alarm pipeline stage (intake stages per press, later stages per alarm, failed runs too)",
      labelNames: ["stage"],
      buckets: STAGE_BUCKETS,
      registers,
    });
    this.stageFailures = new Counter({
      name: "anxin_pipeline_stage_failures_total",
      help: "Runs of a post-storage stage that threw (rolled back; the alarm is retried)",
      labelNames: ["stage"],
      registers,
    });
    for (const stage of deps.stages) {
      this.stageSeconds.zero({ stage });
      this.stageFailures.labels({ stage }).inc(0);
    }
    this.pressAck = new Histogram({
      name: "anxin_press_ack_seconds",
      help: "From the broker taking a press to the hub's ack to the device (stored first); duplicates acked again too",
      labelNames: ["kind"],
      buckets: ACK_BUCKETS,
      registers,
    });
    for (const kind of ALARM_KINDS) this.pressAck.zero({ kind });
    this.operatorAck = new Histogram({
      name: "anxin_alarm_acknowledge_seconds",
      help: "From an alarm being received to an operator acknowledging it",
      labelNames: ["kind"],
      buckets: OPERATOR_ACK_BUCKETS,
      registers,
    });
    for (const kind of INCIDENT_KINDS) this.operatorAck.zero({ kind });
    this.outboxMessages = new Counter({
      name: "anxin_outbox_messages_total",
      help: "Outbox messages (SMS, relatives' calls) the provider answered: sent, failed (refused for good) or retried (due again after a backoff)",
      labelNames: ["channel", "outcome"],
      registers,
    });
    for (const channel of OUTBOX_CHANNELS)
      for (const outcome of OUTBOX_OUTCOMES) this.outboxMessages.labels({ channel, outcome }).inc(0);
  }

  /** Starts counting what the bus says. */
  start(bus: EventBus): void {
    this.stop();
    this.unsubscribes = [
      bus.on("alarm.received", ({ kind, source }) => this.alarmsReceived.labels({ kind, source }).inc()),
      bus.on("outbox.outcome", ({ channel, outcome }) => this.outboxMessages.labels({ channel, outcome }).inc()),
      bus.on("alarm.changed", ({ alarmId, change }) =>
        change === "acknowledged" ? this.acknowledged(alarmId) : undefined,
      ),
    ];
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
  }

  stageRan(stage: string, seconds: number): void {
    this.stageSeconds.labels({ stage }).observe(seconds);
  }

  stageFailed(stage: string): void {
    this.stageFailures.labels({ stage }).inc();
  }

  pressAcked(kind: AlarmKind, seconds: number): void {
    this.pressAck.labels({ kind }).observe(seconds);
  }

  /** After the acknowledgement committed (`alarm.changed` comes after the commit): its time, from storage. */
  private async acknowledged(alarmId: number): Promise<void> {
    const alarm = await this.alarms.get(alarmId);
    if (!alarm?.acknowledged_at) return;
    const seconds = (Date.parse(alarm.acknowledged_at) - Date.parse(alarm.received_at)) / 1000;
    this.operatorAck.labels({ kind: alarm.kind }).observe(Math.max(0, seconds));
  }
}
