/**
 * Progress of a long import on stderr. On a terminal: a cli-progress bar per
 * phase (checking, then writing). Elsewhere (CI logs, a pipe, a test watching
 * the process): plain lines at most once a second, because a redrawn bar turns
 * into noise in a log file. The writing phase runs inside one synchronous
 * SQLite transaction, so both kinds draw synchronously from the listener: a
 * timer would never fire until the transaction ends.
 */
import cliProgress from "cli-progress";
import type { ImportPhase, ProgressListener } from "./import/import-types.ts";

const PHASE_LABELS: Record<ImportPhase, string> = { validating: "checking", writing: "writing " };
const PLAIN_INTERVAL_MS = 1000;

export class ImportProgress {
  private readonly stream: NodeJS.WriteStream;
  private readonly unit: string;
  private bar: cliProgress.SingleBar | null = null;
  private phase: ImportPhase | null = null;
  private lastPlainLineAt = 0;

  constructor(stream: NodeJS.WriteStream, unit: string) {
    this.stream = stream;
    this.unit = unit;
  }

  readonly listener: ProgressListener = (phase, done, total) => {
    if (phase !== this.phase) this.startPhase(phase, total);
    if (this.bar) {
      this.bar.update(done);
      if (done >= total) this.stopBar();
      return;
    }
    // On a terminal the phase's bar has finished; a repeated "done" must not add a plain line under it.
    if (this.stream.isTTY) return;
    const now = Date.now();
    if (done >= total || now - this.lastPlainLineAt >= PLAIN_INTERVAL_MS) {
      this.lastPlainLineAt = now;
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      this.stream.write(`${PHASE_LABELS[phase]} ${done}/${total} ${this.unit} (${percent}%)\n`);
    }
  };

  /** Leaves the terminal clean before the report is printed, or when the import fails. */
  stop(): void {
    this.stopBar();
  }

  private startPhase(phase: ImportPhase, total: number): void {
    this.stopBar();
    this.phase = phase;
    this.lastPlainLineAt = 0;
    if (!this.stream.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: `${PHASE_LABELS[phase]} [{bar}] {percentage}% | {value}/{total} ${this.unit} | {duration_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        synchronousUpdate: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0);
  }

  private stopBar(): void {
    if (!this.bar) return;
    this.bar.stop();
    this.bar = null;
  }
}
