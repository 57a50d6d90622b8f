/** Samples a process's resident memory once a second over a phase. */
import { rssBytes } from "./proc-stats.ts";
import { maxOf } from "./stats.ts";

export class RssSampler {
  private readonly pid: () => number;
  private timer: NodeJS.Timeout | null = null;
  readonly samples: number[] = [];

  constructor(pid: () => number) {
    this.pid = pid;
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  private sample(): void {
    const rss = rssBytes(this.pid());
    if (Number.isFinite(rss)) this.samples.push(rss);
  }

  stop(): { firstMb: number; lastMb: number; maxMb: number } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const mb = (b: number | undefined) => (b === undefined ? Number.NaN : b / 1048576);
    return {
      firstMb: mb(this.samples[0]),
      lastMb: mb(this.samples.at(-1)),
      maxMb: mb(this.samples.length ? maxOf(this.samples) : undefined),
    };
  }
}
