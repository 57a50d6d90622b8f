// @ts-check
// What the timeline's event summaries share: the map type that makes the typecheck fail
// on an event type without a summary, a worker's name, a line of parts, and the words for
// the codes that several events carry (SMS purposes, channels, Twilio statuses, stages).

/** @import { AlarmEventDetails, AlarmEventType } from "../protocol/console/index.ts" */
/** @import { Child, Leaf } from "./dom.js" */

import { h } from "./dom.js";
import { t, tMaybe } from "./i18n.js";
import { codeText, content, foreignText } from "./reasons.js";

/**
 * A summary per event type of T: the translated line for that type's detail.
 * @template {AlarmEventType} T
 * @typedef {{ readonly [K in T]: (d: AlarmEventDetails[K]) => Leaf[] }} Summaries
 */

/**
 * A worker as events name them: "崔艳 (KL-W001)"; only the id when the hub no longer knew them.
 * @param {{ id?: number, code?: string | null, name?: string | null } | null | undefined} worker
 */
export function who(worker) {
  if (!worker) return null;
  const name = worker.name ?? t("ev.workerId", { id: worker.id ?? "?" });
  return content(worker.code ? `${name} (${worker.code})` : name);
}

/**
 * The parts of a summary joined by " · " (empty parts left out).
 * @param {...Child} parts
 * @returns {Leaf[]}
 */
export function line(...parts) {
  /** @type {Leaf[]} */
  const out = [];
  for (const part of parts) {
    /** @type {Leaf[]} */
    const flat = [part].flat();
    const leaves = flat.filter((p) => p !== null && p !== undefined && p !== "");
    if (!leaves.length) continue;
    if (out.length) out.push(" · ");
    out.push(...leaves);
  }
  return out;
}

/**
 * Outbox purposes: "worker", "clinic", "relative:<priority>", "relative_call:<priority>",
 * "family:<step>", "escalation_<who>", "console_call:<id>"…
 * @param {string | null | undefined} purpose
 */
export function purposeText(purpose) {
  const [kind, n] = String(purpose).split(":");
  if (kind === "relative" || kind === "relative_call") return t(`sms.purpose.${kind}`, { n: n ?? "?" });
  return tMaybe(`sms.purpose.${kind}`) ?? codeText(purpose);
}

/** @param {string | null | undefined} channel */
export function channelText(channel) {
  return t(channel === "voice" ? "ev.channel.voice" : "ev.channel.sms");
}

/**
 * Twilio's delivery or call status (its own code); an unknown one as it came.
 * @param {string | null | undefined} status
 */
export function providerStatus(status) {
  if (!status) return null;
  return tMaybe(`ev.provider.${status}`) ?? codeText(status);
}

/**
 * A pipeline stage by its name (hub/pipeline/stages/).
 * @param {string | null | undefined} stage
 */
export function stageText(stage) {
  return tMaybe(`ev.stage.${stage}`) ?? codeText(stage);
}

/**
 * A phone number or an address: data, shown as it is.
 * @param {string | null | undefined} text
 */
export function data(text) {
  return text ? h("span", { content: true }, text) : null;
}

/**
 * The summary of one event (alarm or device) by the summaries of its kind of history: nodes for
 * its detail, empty when there is nothing to add to its name. A type this console has no summary
 * for, or a detail an older hub wrote in another shape, shows as the hub's data, marked as such,
 * rather than breaking the list.
 * @param {Readonly<Record<string, (d: never) => Leaf[]>>} summaries
 * @param {{ type: string, detail?: unknown }} event
 * @returns {Leaf[]}
 */
export function summaryOf(summaries, event) {
  const raw = () => (event.detail ? [foreignText(JSON.stringify(event.detail))] : []);
  if (!Object.hasOwn(summaries, event.type)) return raw();
  const summary = /** @type {(d: unknown) => Leaf[]} */ (summaries[event.type]);
  try {
    return summary(event.detail);
  } catch {
    return raw();
  }
}
