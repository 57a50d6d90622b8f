/**
 * The presses a button has sent but the hub has not yet acknowledged. Each one is
 * re-sent with a doubling delay until its ack arrives, and all of them again on every
 * reconnect: giving up on an emergency call is never the device's decision (docs/protocol.md).
 */
import { type AckMessage, type AlarmMessage, LIMITS } from "../protocol/index.ts";

/** Publishes one attempt of a press to the hub and reports it. */
export type AlarmSender = (alarm: AlarmMessage) => void;

export interface PressQueueSettings {
  /** Delay before the first re-send; it doubles on every retry… */
  retryInitialMs: number;
  /** …up to this cap. */
  retryMaxMs: number;
}

interface PendingPress {
  alarm: AlarmMessage;
  nextDelayMs: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (ack: AckMessage) => void;
  reject: (error: Error) => void;
}

export class PressQueue {
  private readonly pending = new Map<string, PendingPress>();

  /** `currentSender` returns null while there is no session: presses then wait for `sendAll()`. */
  constructor(
    private readonly settings: PressQueueSettings,
    private readonly currentSender: () => AlarmSender | null,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Queues `alarm` (with `attempt` 0) and sends it now if connected; resolves with the hub's ack. */
  add(alarm: AlarmMessage): Promise<AckMessage> {
    return new Promise<AckMessage>((resolve, reject) => {
      const press: PendingPress = {
        alarm,
        nextDelayMs: this.settings.retryInitialMs,
        timer: undefined,
        resolve,
        reject,
      };
      this.pending.set(alarm.pressId, press);
      // While offline the press only waits: the reconnect handler sends every pending press.
      if (this.currentSender()) this.send(press);
    });
  }

  /** A session was just set up: every pending press is sent again at once. */
  sendAll(): void {
    for (const press of this.pending.values()) this.send(press);
  }

  /** The connection dropped: retries stop, and the presses wait for `sendAll()` on the reconnect. */
  pause(): void {
    for (const press of this.pending.values()) clearTimeout(press.timer);
  }

  /** Forgets the press an ack answers; returns the function that settles its promise (none for an unknown press). */
  take(pressId: string): ((ack: AckMessage) => void) | undefined {
    const press = this.pending.get(pressId);
    clearTimeout(press?.timer);
    this.pending.delete(pressId);
    return press?.resolve;
  }

  /** Settles every pending press with `reason`, because none of them can be delivered any more. */
  rejectAll(reason: Error): void {
    for (const press of this.pending.values()) {
      clearTimeout(press.timer);
      press.reject(reason);
    }
    this.pending.clear();
  }

  private send(press: PendingPress): void {
    const sender = this.currentSender();
    clearTimeout(press.timer);
    press.timer = undefined;
    if (!sender) return;
    // `attempt` stops at the protocol's maximum; the press itself is re-sent for as long as it takes.
    press.alarm = { ...press.alarm, attempt: Math.min((press.alarm.attempt ?? 0) + 1, LIMITS.counterMax) };
    // A lost publish needs no handling here: the retry timer below re-sends until the ack arrives.
    sender(press.alarm);
    press.timer = setTimeout(() => this.send(press), press.nextDelayMs);
    press.nextDelayMs = Math.min(press.nextDelayMs * 2, this.settings.retryMaxMs);
  }
}
