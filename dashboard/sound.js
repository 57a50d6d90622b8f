// Alarm tone with the Web Audio API (no audio files to fail loading).
//
// Browsers only let an AudioContext run after a user gesture. The login click is
// one; after a reload with a live session there is none, so the context stays
// "suspended" and the UI must say so loudly ("blocked"). Any later click or key
// press anywhere unlocks it.
//
// Beeps are scheduled ahead on the audio clock rather than fired from timers,
// because browsers throttle timers in background tabs but not the audio clock.

const PERIOD_S = 1.5; // one two-tone beep pair every 1.5 s
const LOOKAHEAD_S = 4; // how far ahead beeps are queued
const TICK_MS = 500;
const MUTE_MS = 60_000;

let ctx = null;
let alerting = false;
let mutedUntil = 0;
let bus = null; // gain node of the current playing run; dropping it silences queued beeps
let nextBeepAt = 0;
let tickTimer = null;
let muteTimer = null;
let onChange = () => {};

export function initSound(opts) {
  onChange = opts.onChange ?? onChange;
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
  const Ctor = window.AudioContext ?? window.webkitAudioContext;
  if (!Ctor) return;
  ctx = new Ctor();
  // Kept on window so tests (and a curious operator in devtools) can read ctx.state.
  window.anxinAudio = ctx;
  ctx.addEventListener("statechange", update);
}

export function setAlerting(on) {
  if (alerting === on) return;
  alerting = on;
  update();
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

export function soundState() {
  if (ctx?.state !== "running") return "blocked";
  return alerting && !isMuted() ? "playing" : "idle";
}

function isMuted() {
  return mutedUntil > Date.now();
}

function update() {
  const state = soundState();
  if (state === "playing") startLoop();
  else stopLoop();
  document.body.dataset.sound = state;
  document.body.dataset.soundMuted = String(isMuted());
  onChange(state);
}

function startLoop() {
  if (bus) return;
  bus = ctx.createGain();
  bus.gain.value = 0.35;
  bus.connect(ctx.destination);
  nextBeepAt = ctx.currentTime + 0.05;
  tick();
  tickTimer = setInterval(tick, TICK_MS);
}

function stopLoop() {
  clearInterval(tickTimer);
  tickTimer = null;
  if (!bus) return;
  bus.disconnect();
  bus = null;
}

function tick() {
  if (!bus) return;
  // After a long throttle the clock may have run past nextBeepAt; do not burst.
  if (nextBeepAt < ctx.currentTime) nextBeepAt = ctx.currentTime + 0.05;
  while (nextBeepAt < ctx.currentTime + LOOKAHEAD_S) {
    tone(988, nextBeepAt, 0.22);
    tone(740, nextBeepAt + 0.3, 0.22);
    nextBeepAt += PERIOD_S;
  }
}

function tone(freq, at, dur) {
  const osc = ctx.createOscillator();
  const env = ctx.createGain();
  osc.type = "square";
  osc.frequency.value = freq;
  // Short ramps avoid clicks; square wave cuts through room noise better than sine.
  env.gain.setValueAtTime(0, at);
  env.gain.linearRampToValueAtTime(1, at + 0.01);
  env.gain.setValueAtTime(1, at + dur - 0.02);
  env.gain.linearRampToValueAtTime(0, at + dur);
  osc.connect(env).connect(bus);
  osc.start(at);
  osc.stop(at + dur);
}
