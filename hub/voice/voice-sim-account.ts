/**
 * Calls to the center without Twilio (issue 14). The hub checks every Twilio
 * webhook's signature with the account's auth token; without Twilio there is
 * none, so every webhook would be refused and a demo could never show a call.
 * Instead the hub makes a local simulation key on its first start without
 * Twilio (`<data dir>/voice-sim.json`, 0600, like the demo credentials) and
 * accepts webhooks signed with it. `npm run sim -- call <household>` signs
 * with it exactly as Twilio signs (firmware-sim/voice-call.ts). Only someone
 * who can read the hub's data directory can sign; with Twilio configured the
 * file is ignored and only Twilio's signatures count.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface VoiceSimAccount {
  accountSid: string;
  authToken: string;
}

export function voiceSimFile(dataDir: string): string {
  return path.join(dataDir, "voice-sim.json");
}

function isAccount(value: unknown): value is VoiceSimAccount & { publicUrl?: string } {
  if (typeof value !== "object" || value === null) return false;
  const { accountSid, authToken } = value as Record<string, unknown>;
  return typeof accountSid === "string" && /^AC[0-9a-f]{32}$/.test(accountSid) && typeof authToken === "string";
}

/** The simulation key, made once and kept (a restart must not invalidate a sim that read it). */
export function ensureVoiceSimAccount(dataDir: string, publicUrl: string): VoiceSimAccount {
  const file = voiceSimFile(dataDir);
  try {
    const existing: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (isAccount(existing) && existing.authToken.length >= 32) {
      if (existing.publicUrl !== publicUrl) write(file, { ...existing, publicUrl });
      return { accountSid: existing.accountSid, authToken: existing.authToken };
    }
  } catch {
    // Missing or unreadable: made anew below.
  }
  const account = { accountSid: `AC${randomBytes(16).toString("hex")}`, authToken: randomBytes(32).toString("hex") };
  write(file, { ...account, publicUrl });
  return account;
}

function write(file: string, content: VoiceSimAccount & { publicUrl: string }): void {
  const note = "Twilio is not configured: webhooks signed with this key are taken as Twilio's (npm run sim -- call).";
  fs.writeFileSync(file, `${JSON.stringify({ note, ...content }, null, 2)}\n`, { mode: 0o600 });
}
