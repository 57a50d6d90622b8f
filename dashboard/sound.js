// @ts-check
// Alarm tone with the Web Audio API (no audio files to fail loading).
//
// Browsers only let an AudioContext run after a user gesture. The login click is
// one; after a reload with a live session there is none, so the context stays
// "suspended" and the UI must say so loudly ("blocked"). Any later click or key
// press anywhere unlocks it.
//
// Beeps are scheduled ahead on the audio clock rather than fired from timers,
// because browsers throttle timers in background tabs but not the audio clock.
//
// The pattern says how urgent the waiting alarms are, so an operator can tell
// without looking: a soft slow pair for service calls, the SOS pair, and a loud
// fast three-tone once an unacknowledged alarm has missed a deadline.

/** The tone's pattern: silence, or one of PATTERNS. @typedef {"none" | "service" | "normal" | "escalated"} Level */
/** What the tone does now: "blocked" (the browser holds audio until a gesture), "playing" or "idle". @typedef {"blocked" | "playing" | "idle"} SoundState */
/** @typedef {{ gain: number, periodS: number, tones: readonly (readonly [number, number, number])[] }} Pattern */

/**
 * [frequency Hz, start offset s, duration s] per tone, repeated every periodS.
 * @type {Readonly<Record<Exclude<Level, "none">, Pattern>>}
 */
const PATTERNS = {
  service: {
    gain: 0.2,
    periodS: 3,
    tones: [
      [660, 0, 0.25],
      [880, 0.35, 0.25],
    ],
  },
  normal: {
    gain: 0.35,
    periodS: 1.5,
    tones: [
      [988, 0, 0.22],
      [740, 0.3, 0.22],
    ],
  },
  escalated: {
    gain: 0.8,
    periodS: 0.8,
    tones: [
      [1319, 0, 0.12],
      [988, 0.17, 0.12],
      [1568, 0.34, 0.16],
    ],
  },
};
/** @type {readonly Level[]} */
const LEVELS = ["none", "service", "normal", "escalated"];
const LOOKAHEAD_S = 4; // how far ahead beeps are queued
const TICK_MS = 500;
const MUTE_MS = 60_000;
/** Escalated cycles played once when an acknowledged alarm escalates (nothing is looping then). */
const BURST_CYCLES = 4;

/** @type {AudioContext | null} */
let ctx = null;
/** @type {Level} */
let level = "none";
let mutedUntil = 0;
/** @type {GainNode | null} */
let bus = null; // gain node of the current playing run; dropping it silences queued beeps
let nextBeepAt = 0;
/** @type {number | undefined} */
let tickTimer;
/** @type {number | undefined} */
let muteTimer;
/** @type {(state: SoundState) => void} */
let onChange = () => {};
// Read by tests (and a curious operator in devtools): the gain is the live GainNode's.
const status = {
  get level() {
    return level;
  },
  get gain() {
    return bus ? bus.gain.value : 0;
  },
  get periodS() {
    // A run plays only at a level with a pattern (startLoop).
    return bus && level !== "none" ? PATTERNS[level].periodS : 0;
  },
  reAlerts: 0,
  bursts: 0,
  /** How many times the loop (re)started: a burst of alarms must start it once, not once per alarm. */
  loops: 0,
};

/** @param {{ onChange?: (state: SoundState) => void }} opts */
export function initSound(opts) {
  onChange = opts.onChange ?? onChange;
  Object.assign(window, { anxinSound: status });
  update();
}

/** Create or resume the AudioContext. Call synchronously inside a click/keydown handler. */
export function unlockAudio() {
  ensureContext();
  if (ctx && ctx.state !== "running") ctx.resume().catch(() => {});
  update();
}

/** Create the context without a gesture: it tells us whether sound is blocked. */
export function probeAudio() {
  ensureContext();
  update();
}

function ensureContext() {
  if (ctx) return;
  // Older Safari names it with its prefix only.
  const prefixed = /** @type {{ webkitAudioContext?: typeof AudioContext }} */ (window);
  /** @type {typeof AudioContext | undefined} */
  const Ctor = window.AudioContext ?? prefixed.webkitAudioContext;
  if (!Ctor) return;
  ctx = new Ctor();
  // Kept on window so tests (and a curious operator in devtools) can read ctx.state.
  Object.assign(window, { anxinAudio: ctx });
  ctx.addEventListener("statechange", update);
}

/**
 * "none" (silence), "service", "normal" (SOS) or "escalated"; a change restarts the loop in the new pattern.
 * @param {Level} next
 */
export function setLevel(next) {
  const wanted = LEVELS.includes(next) ? next : "normal";
  if (wanted === level) return;
  level = wanted;
  stopLoop();
  update();
}

/**
 * An alarm escalated: whatever the operator muted a minute ago is no longer
 * what is happening now, so the mute ends and the loop starts over from its
 * first (loud) beep. With nothing looping (the alarm was acknowledged, but
 * nobody reached the resident in time) a short loud burst is played instead.
 */
export function reAlert() {
  status.reAlerts += 1;
  mutedUntil = 0;
  clearTimeout(muteTimer);
  stopLoop();
  update();
  if (level === "none" && ctx?.state === "running") burst();
}

export function mute() {
  mutedUntil = Date.now() + MUTE_MS;
  clearTimeout(muteTimer);
  // The mute must end by itself: a forgotten mute would hide the next alarm.
  muteTimer = setTimeout(unmute, MUTE_MS);
  update();
}

export function unmute() {
  mutedUntil = 0;
  clearTimeout(muteTimer);
  update();
}

export function mutedSecondsLeft() {
  return Math.max(0, Math.ceil((mutedUntil - Date.now()) / 1000));
}

/** @returns {SoundState} */
export function soundState() {
  if (ctx?.state !== "running") return "blocked";
  return level !== "none" && !isMuted() ? "playing" : "idle";
}

function isMuted() {
  return mutedUntil > Date.now();
}

function update() {
  const state = soundState();
  if (state === "playing") startLoop();
  else stopLoop();
  document.body.dataset.sound = state;
  document.body.dataset.soundLevel = level;
  document.body.dataset.soundMuted = String(isMuted());
  onChange(state);
}

function startLoop() {
  // Playing means a running context and a level with a pattern (soundState).
  if (bus || !ctx || level === "none") return;
  status.loops += 1;
  bus = ctx.createGain();
  bus.gain.value = PATTERNS[level].gain;
  bus.connect(ctx.destination);
  nextBeepAt = ctx.currentTime + 0.05;
  tick();
  tickTimer = setInterval(tick, TICK_MS);
}

function stopLoop() {
  clearInterval(tickTimer);
  tickTimer = undefined;
  if (!bus) return;
  bus.disconnect();
  bus = null;
}

function tick() {
  if (!bus || !ctx || level === "none") return;
  // After a long throttle the clock may have run past nextBeepAt; do not burst.
  if (nextBeepAt < ctx.currentTime) nextBeepAt = ctx.currentTime + 0.05;
  const pattern = PATTERNS[level];
  while (nextBeepAt < ctx.currentTime + LOOKAHEAD_S) {
    cycle(pattern, nextBeepAt, bus);
    nextBeepAt += pattern.periodS;
  }
}

function burst() {
  if (!ctx) return;
  status.bursts += 1;
  const pattern = PATTERNS.escalated;
  const out = ctx.createGain();
  out.gain.value = pattern.gain;
  out.connect(ctx.destination);
  const start = ctx.currentTime + 0.05;
  for (let i = 0; i < BURST_CYCLES; i += 1) cycle(pattern, start + i * pattern.periodS, out);
  setTimeout(() => out.disconnect(), (BURST_CYCLES * pattern.periodS + 0.5) * 1000);
}

/**
 * @param {Pattern} pattern
 * @param {number} at audio clock time (s)
 * @param {AudioNode} out
 */
function cycle(pattern, at, out) {
  for (const [freq, offset, dur] of pattern.tones) tone(freq, at + offset, dur, out);
}

/**
 * @param {number} freq Hz
 * @param {number} at audio clock time (s)
 * @param {number} dur s
 * @param {AudioNode} out
 */
function tone(freq, at, dur, out) {
  if (!ctx) return;
  const osc = ctx.createOscillator();
  const env = ctx.createGain();
  osc.type = "square";
  osc.frequency.value = freq;
  // Short ramps avoid clicks; square wave cuts through room noise better than sine.
  env.gain.setValueAtTime(0, at);
  env.gain.linearRampToValueAtTime(1, at + 0.01);
  env.gain.setValueAtTime(1, at + dur - 0.02);
  env.gain.linearRampToValueAtTime(0, at + dur);
  osc.connect(env).connect(out);
  osc.start(at);
  osc.stop(at + dur);
}
