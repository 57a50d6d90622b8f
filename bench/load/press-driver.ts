/**
 * How one worker's buttons press: open loop (a fixed rate whatever the hub
 * does), closed loop (a fixed number outstanding: each ack starts the next
 * press), or a burst (each button once, at a random moment in a window).
 * Buttons take turns, so consecutive presses come from different homes.
 */
import type { PressPlan } from "./button-types.ts";
import type { RawButton } from "./raw-button.ts";

export class PressDriver {
  private readonly buttons: readonly RawButton[];
  private readonly pressOne: (button: RawButton, kind: PressPlan["kind"]) => void;
  private next = 0;
  private timers: NodeJS.Timeout[] = [];
  private plan: PressPlan | null = null;
  private endsAt = 0;
  private outstanding = 0;
  done = true;

  constructor(buttons: readonly RawButton[], pressOne: (button: RawButton, kind: PressPlan["kind"]) => void) {
    this.buttons = buttons;
    this.pressOne = pressOne;
  }

  private nextButton(): RawButton | undefined {
    const button = this.buttons[this.next % this.buttons.length];
    this.next += 1;
    return button;
  }

  start(plan: PressPlan): void {
    this.stop();
    this.plan = plan;
    this.done = false;
    if (this.buttons.length === 0) {
      this.done = true;
      return;
    }
    if (plan.type === "open") this.startOpen(plan.rate, plan.durationMs);
    else if (plan.type === "closed") this.startClosed(plan.inflight, plan.durationMs);
    else this.startBurst(plan.windowMs, plan.count ?? this.buttons.length);
  }

  /** Called for every ack of this worker: the closed loop replaces the finished press. */
  acked(): void {
    if (this.plan?.type !== "closed" || this.done) return;
    this.outstanding -= 1;
    if (Date.now() >= this.endsAt) {
      this.done = true;
      return;
    }
    this.press();
  }

  stop(): void {
    for (const timer of this.timers) {
      clearTimeout(timer);
      clearInterval(timer);
    }
    this.timers = [];
    this.done = true;
  }

  private press(): void {
    const button = this.nextButton();
    if (!button || !this.plan) return;
    this.outstanding += 1;
    this.pressOne(button, this.plan.kind);
  }

  private startOpen(rate: number, durationMs: number): void {
    const started = Date.now();
    let made = 0;
    const timer = setInterval(() => {
      const elapsed = Math.min(durationMs, Date.now() - started);
      const due = Math.floor((elapsed / 1000) * rate);
      while (made < due) {
        this.press();
        made += 1;
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        this.done = true;
      }
    }, 2);
    this.timers.push(timer);
  }

  private startClosed(inflight: number, durationMs: number): void {
    this.endsAt = Date.now() + durationMs;
    this.outstanding = 0;
    for (let i = 0; i < inflight; i += 1) this.press();
    // Ends on time even if no ack ever comes.
    this.timers.push(
      setTimeout(() => {
        this.done = true;
      }, durationMs),
    );
  }

  private startBurst(windowMs: number, count: number): void {
    let left = Math.min(count, this.buttons.length);
    const total = left;
    for (let i = 0; i < total; i += 1) {
      const button = this.buttons[i];
      if (!button) continue;
      this.timers.push(
        setTimeout(() => {
          if (this.plan) this.pressOne(button, this.plan.kind);
          left -= 1;
          if (left === 0) this.done = true;
        }, Math.random() * windowMs),
      );
    }
  }
}
