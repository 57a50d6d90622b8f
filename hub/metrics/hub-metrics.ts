/**
 * The hub's metrics for Prometheus (`GET /metrics`, hub/http/routes/metrics-routes.ts), in prom-client's
 * text format. One registry per hub, never prom-client's global one: tests run several hubs in one
 * process, and each must report its own. Beside it, the process's standard metrics, which every hub of a
 * process shares (process-metrics.ts).
 *
 * - What flows (alarms stored, stage and ack times, the outbox's answers) is counted as it happens
 *   (flow-metrics.ts): from the bus, and from the pipeline's own timing (its `PipelineMeter`).
 * - What stands (open alarms, overdue acknowledgements, the outbox's depth and age, device faults,
 *   connected devices, live consoles, the WAL's size) is read at each scrape (state-gauges.ts), and so
 *   is what keeps the service up for years: the newest backup, the certificate's expiry (service-gauges.ts).
 *
 * docs/operations.md lists every metric and the alert rules in deploy/prometheus/ that use them.
 */
import { Registry } from "prom-client";
import type { Clock } from "../clock.ts";
import type { EventBus } from "../events.ts";
import type { AlarmRepository } from "../storage/alarm-repo.ts";
import type { MetricsReads } from "../storage/metrics-reads.ts";
import { FlowMetrics } from "./flow-metrics.ts";
import { processRegistry } from "./process-metrics.ts";
import { type BackupWatch, ServiceGauges } from "./service-gauges.ts";
import { type LiveFigures, StateGauges } from "./state-gauges.ts";

export interface HubMetricsDeps {
  bus: EventBus;
  alarms: Pick<AlarmRepository, "get">;
  reads: MetricsReads;
  live: LiveFigures;
  clock: Clock;
}

export interface HubMetricsOptions {
  /** The pipeline's stage names, each reported from the start (at zero). */
  stages: readonly string[];
  ackDeadlineS: number;
  /** SQLite's write-ahead log; null on PostgreSQL. */
  walFile: string | null;
  /** The hub's scheduled backups (ANXIN_BACKUP_DIR); null when it takes none. */
  backup: BackupWatch | null;
  /** The TLS certificate in service's end of validity (ISO time), asked at each scrape; null without TLS. */
  certificateValidTo: (() => string) | null;
}

export class HubMetrics {
  /** What `GET /metrics` answers with: Prometheus' text format, version 0.0.4. */
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly registry = new Registry();
  private readonly bus: EventBus;
  private readonly flow: FlowMetrics;
  private readonly state: StateGauges;

  constructor(deps: HubMetricsDeps, options: HubMetricsOptions) {
    this.bus = deps.bus;
    this.flow = new FlowMetrics(this.registry, { alarms: deps.alarms, stages: options.stages });
    this.state = new StateGauges(this.registry, {
      reads: deps.reads,
      live: deps.live,
      clock: deps.clock,
      ackDeadlineS: options.ackDeadlineS,
      walFile: options.walFile,
    });
    new ServiceGauges(this.registry, { backup: options.backup, certificateValidTo: options.certificateValidTo });
  }

  /** What the pipeline reports as it runs (its `PipelineMeter`: stage times, press → ack). */
  get pipeline(): FlowMetrics {
    return this.flow;
  }

  /** Starts counting (before the broker takes presses) and the process's collectors (once per process). */
  start(): void {
    processRegistry();
    this.flow.start(this.bus);
  }

  stop(): void {
    this.flow.stop();
  }

  /** The realtime route's count of its open consoles. */
  countConsoles(count: () => number): void {
    this.state.countConsoles(count);
  }

  /** Every metric of this hub and of its process, as Prometheus scrapes them. Rejects when storage cannot be read. */
  async exposition(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processRegistry().metrics()]);
    return `${own.trimEnd()}\n\n${process.trimEnd()}\n`;
  }
}
