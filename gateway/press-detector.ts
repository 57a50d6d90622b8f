/**
 * Turns the button's `down`/`up` into presses. johnny-five's Button only debounces (~7 ms);
 * the hold and the double press are timed here, so a brush against the button never calls.
 *
 * - held for `holdMs`: `sos`, raised at that moment (not on release), so the resident sees the
 *   call start while still pressing;
 * - two short presses whose releases are at most `cancelWindowMs` apart: `cancel`;
 * - one short press alone: nothing.
 */
export type DetectedPress = "sos" | "cancel";

export interface PressDetectorOptions {
  holdMs: number;
  cancelWindowMs: number;
  now?: () => number;
}

export class PressDetector {
  private holdTimer: NodeJS.Timeout | undefined;
  private isDown = false;
  private held = false;
  private lastShortUpAt: number | null = null;

  constructor(
    private readonly options: PressDetectorOptions,
    private readonly onPress: (press: DetectedPress) => void,
  ) {}

  down(): void {
    if (this.isDown) return;
    this.isDown = true;
    this.held = false;
    this.holdTimer = setTimeout(() => {
      this.held = true;
      this.lastShortUpAt = null;
      this.onPress("sos");
    }, this.options.holdMs);
  }

  up(): void {
    if (!this.isDown) return;
    this.isDown = false;
    clearTimeout(this.holdTimer);
    if (this.held) return;
    const now = (this.options.now ?? Date.now)();
    if (this.lastShortUpAt !== null && now - this.lastShortUpAt <= this.options.cancelWindowMs) {
      this.lastShortUpAt = null;
      this.onPress("cancel");
    } else {
      this.lastShortUpAt = now;
    }
  }

  /** The board went away mid-press: a press that was never released must not turn into an alarm. */
  reset(): void {
    clearTimeout(this.holdTimer);
    this.isDown = false;
    this.held = false;
    this.lastShortUpAt = null;
  }
}
