/**
 * Progress of a backup's copy on stderr, for whoever waits on a big database.
 * On a terminal: a cli-progress bar over the pages. Elsewhere (a pipe, a log,
 * cron mail): a plain line at most every 5 seconds and one at the end, because
 * a redrawn bar is noise in a file. Small databases copy in one step and show
 * only the line at the end.
 */
import cliProgress from "cli-progress";
import type { CopyProgress } from "../storage/sqlite-backup.ts";

const PLAIN_INTERVAL_MS = 5000;

export class CopyProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private bar: cliProgress.SingleBar | null = null;
  /** The first plain line comes after an interval: a copy that takes less prints only its last line. */
  private lastPlainLineAt = Date.now();
  private finished = false;

  constructor(stream: NodeJS.WriteStream) {
    this.stream = stream;
  }

  readonly listener = ({ totalPages, remainingPages }: CopyProgress): void => {
    if (this.finished) return;
    const done = totalPages - remainingPages;
    if (this.stream.isTTY) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          {
            stream: this.stream,
            format: "copying [{bar}] {percentage}% | {value}/{total} pages | {duration_formatted}",
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(totalPages, done);
      }
      this.bar.setTotal(totalPages);
      this.bar.update(done);
      if (remainingPages === 0) this.stop();
      return;
    }
    const now = Date.now();
    if (remainingPages === 0 || now - this.lastPlainLineAt >= PLAIN_INTERVAL_MS) {
      this.lastPlainLineAt = now;
      const percent = totalPages === 0 ? 100 : Math.floor((done / totalPages) * 100);
      this.stream.write(`copying ${done}/${totalPages} pages (${percent}%)\n`);
      if (remainingPages === 0) this.finished = true;
    }
  };

  /** Leaves the terminal clean before the report is printed, or when the backup fails. */
  stop(): void {
    this.finished = true;
    if (!this.bar) return;
    this.bar.stop();
    this.bar = null;
  }
}
