/**
 * What the board's LED and buzzer show, as a pure function of what the resident should know and
 * how long it has been shown. A board has one single-colour LED, so the states differ by rhythm
 * rather than by colour (docs/protocol.md's table assumes a two-colour LED). The buzzer is an
 * active one: on or off, no tones.
 */
import type { FeedbackState } from "../protocol/index.ts";

/**
 * `sending`: a press not yet acked while the hub is reachable; `unreachable`: no hub connection
 * (for longer than the grace time, or while a call is waiting), or the hub refuses the credentials.
 */
export type DisplayState = FeedbackState | "sending" | "unreachable";

export interface Display {
  state: DisplayState;
  /** With `unreachable`: a call is waiting to go through, so the buzzer chirps to say so. */
  callWaiting?: boolean;
}

export interface Output {
  led: boolean;
  buzzer: boolean;
}

/** [on, off] durations in ms, repeated. */
type Rhythm = readonly number[];

const FAST_BLINK: Rhythm = [125, 125]; // 4 Hz
const QUICK_BLINK: Rhythm = [250, 250]; // 2 Hz
const SLOW_BLINK: Rhythm = [500, 500]; // 1 Hz
const DOUBLE_BLINK: Rhythm = [150, 150, 150, 1550]; // two blinks every 2 s
/** · · · — — — · · · then a pause, every 6 s. */
const SOS: Rhythm = [150, 150, 150, 150, 150, 450, 450, 150, 450, 150, 450, 450, 150, 150, 150, 150, 150, 2100];

/** Beeps played once on entering the state, as [on, off, on, …] from the entry. */
const SHORT_BEEP = [100];
const LONG_BEEP = [500];
const TWO_BEEPS = [100, 150, 100];
const THREE_BEEPS = [100, 150, 100, 150, 100];
/** Two beeps, long then short: what an active buzzer can do of "two descending beeps". */
const CLOSING_BEEPS = [300, 150, 100];
const CHIRP = [60];

export const DISPATCHED_REPEAT_MS = 60_000;
export const CLOSED_STEADY_MS = 10_000;
export const UNREACHABLE_CHIRP_MS = 5_000;

export interface PatternSpec {
  led: "off" | "on" | Rhythm;
  /** Beeps from the entry into the state… */
  beeps: readonly number[];
  /** …repeated every this many ms (absent: once). */
  beepEveryMs?: number;
  /** The LED goes dark after this long (absent: never). */
  ledForMs?: number;
}

export const PATTERNS: Record<DisplayState, PatternSpec> = {
  sending: { led: FAST_BLINK, beeps: SHORT_BEEP },
  received: { led: QUICK_BLINK, beeps: LONG_BEEP },
  acknowledged: { led: SLOW_BLINK, beeps: TWO_BEEPS },
  dispatched: { led: DOUBLE_BLINK, beeps: THREE_BEEPS, beepEveryMs: DISPATCHED_REPEAT_MS },
  arrived: { led: "on", beeps: LONG_BEEP },
  closed: { led: "on", beeps: CLOSING_BEEPS, ledForMs: CLOSED_STEADY_MS },
  idle: { led: "off", beeps: [] },
  unreachable: { led: SOS, beeps: CHIRP, beepEveryMs: UNREACHABLE_CHIRP_MS },
};

/** The LED and buzzer `elapsedMs` after `display` was entered. */
export function patternAt(display: Display, elapsedMs: number): Output {
  const spec = PATTERNS[display.state];
  const t = Math.max(0, elapsedMs);
  let led: boolean;
  if (spec.ledForMs !== undefined && t >= spec.ledForMs) led = false;
  else if (spec.led === "on" || spec.led === "off") led = spec.led === "on";
  else led = inRhythm(spec.led, t);
  // Chirping while merely unreachable, with no call waiting, would frighten for nothing.
  const silent = display.state === "unreachable" && !display.callWaiting;
  const beepT = spec.beepEveryMs === undefined ? t : t % spec.beepEveryMs;
  const buzzer = !silent && inBeeps(spec.beeps, beepT);
  return { led, buzzer };
}

/** Whether a repeating [on, off, …] rhythm is in an "on" phase at `t`. */
function inRhythm(rhythm: Rhythm, t: number): boolean {
  const period = rhythm.reduce((sum, ms) => sum + ms, 0);
  let at = t % period;
  for (let i = 0; i < rhythm.length; i++) {
    const span = rhythm[i] ?? 0;
    if (at < span) return i % 2 === 0;
    at -= span;
  }
  return false;
}

/** Whether a one-shot [on, off, on, …] sequence is in an "on" phase at `t`. */
function inBeeps(beeps: readonly number[], t: number): boolean {
  let at = t;
  for (let i = 0; i < beeps.length; i++) {
    const span = beeps[i] ?? 0;
    if (at < span) return i % 2 === 0;
    at -= span;
  }
  return false;
}

/**
 * The half-period of the LED's rhythm in a state (the first on-time), for anyone reading the
 * pattern back off a pin: tests, and a technician with a scope.
 */
export function firstOnMs(state: DisplayState): number | null {
  const { led } = PATTERNS[state];
  return typeof led === "string" ? null : (led[0] ?? null);
}
