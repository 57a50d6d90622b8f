/** When the bench began: every line says how far into the run it is. */
let benchStart = Date.now();

export function startClock(): void {
  benchStart = Date.now();
}

function stamp(): string {
  const s = Math.floor((Date.now() - benchStart) / 1000);
  return `[${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}]`;
}

/** One progress line per phase: rewritten in place at a terminal, every few seconds otherwise. */
export class Progress {
  private readonly label: string;
  private readonly tty = process.stdout.isTTY === true;
  private lastPrinted = 0;
  private lastText = "";

  constructor(label: string) {
    this.label = label;
  }

  update(text: string): void {
    this.lastText = text;
    const now = Date.now();
    if (this.tty) {
      process.stdout.write(`\r\x1b[2K${stamp()} ${this.label}: ${text}`);
    } else if (now - this.lastPrinted >= 5000) {
      this.lastPrinted = now;
      process.stdout.write(`${stamp()} ${this.label}: ${text}\n`);
    }
  }

  done(text = this.lastText): void {
    process.stdout.write(`${this.tty ? "\r\x1b[2K" : ""}${stamp()} ${this.label}: ${text}\n`);
  }
}

export function note(text: string): void {
  process.stdout.write(`${stamp()} ${text}\n`);
}
