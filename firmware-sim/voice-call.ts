/**
 * `npm run sim -- call <household>`: a phone call to the center, without Twilio
 * (issue 14). The hub, started without Twilio, keeps a local signing key in
 * `<data dir>/voice-sim.json` (hub/voice/voice-sim-account.ts); this plays the
 * part of Twilio with it: it posts the inbound-call webhook from the household
 * resident's phone (from demo-devices.json, or `--from`), signed as Twilio
 * signs, then follows the hub's TwiML as Twilio would and prints what everyone
 * hears: the caller, whoever is rung, and, with `--answer`, the first line
 * picking up and taking the call. Without `--answer` nobody picks up, so the
 * call goes to the supervisors and then to the message.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import twilio from "twilio";
import { CliError, type CommandLineValues } from "./cli-options.ts";
import { loadCredentials } from "./credentials.ts";
import { parseTwiml, spoken, type TwimlNode } from "./twiml.ts";

interface SimAccount {
  accountSid: string;
  authToken: string;
  publicUrl: string;
}

/** Stages are bounded by the hub (operators, supervisors); this only guards against a loop. */
const MOST_STEPS = 6;

async function loadSimAccount(dataDir: string): Promise<SimAccount> {
  const file = path.join(dataDir, "voice-sim.json");
  let content: unknown;
  try {
    content = JSON.parse(await readFile(file, "utf8"));
  } catch {
    throw new CliError(
      `no ${file}: the hub writes it when it starts without Twilio (npm start). With Twilio configured, ` +
        "call the center's number instead; or point --data-dir / ANXIN_DATA_DIR at the hub's data directory.",
    );
  }
  const { accountSid, authToken, publicUrl } = content as Record<string, unknown>;
  if (typeof accountSid !== "string" || typeof authToken !== "string" || typeof publicUrl !== "string") {
    throw new CliError(`${file} is not a call-simulation key (accountSid, authToken, publicUrl)`);
  }
  return { accountSid, authToken, publicUrl: publicUrl.replace(/\/+$/, "") };
}

async function callerNumber(values: CommandLineValues, household: string | undefined): Promise<string> {
  if (values.from !== undefined) {
    if (!/^\+[1-9][0-9]{6,14}$/.test(values.from)) throw new CliError("--from must be an E.164 number (+86…)");
    return values.from;
  }
  if (!household) throw new CliError("call needs a household code, e.g. `npm run sim -- call KL-H0001`, or --from");
  const credentials = await loadCredentials(values);
  const device = credentials.devices.find((d) => d.household === household);
  if (!device?.phone) {
    throw new CliError(`no demo household ${JSON.stringify(household)} with a resident's phone; or pass --from +86…`);
  }
  return device.phone;
}

export async function simulateCall(values: CommandLineValues, household: string | undefined): Promise<number> {
  const dataDir = values["data-dir"] ?? process.env.ANXIN_DATA_DIR ?? "data";
  const account = await loadSimAccount(dataDir);
  const from = await callerNumber(values, household);
  const httpUrl = (values.http ?? `http://127.0.0.1:${process.env.ANXIN_HTTP_PORT ?? 8080}`).replace(/\/+$/, "");
  const callSid = `CA${randomBytes(16).toString("hex")}`;
  const center = "+10000000000";

  /** Posts to a URL the hub wrote (its public URL) or a path, signed, to where the hub really listens. */
  async function post(urlOrPath: string, params: Record<string, string>): Promise<TwimlNode> {
    const publicUrl = urlOrPath.startsWith("/") ? `${account.publicUrl}${urlOrPath}` : urlOrPath;
    if (!publicUrl.startsWith(account.publicUrl)) throw new CliError(`the hub sent Twilio to ${publicUrl}`);
    const form = { AccountSid: account.accountSid, ApiVersion: "2010-04-01", ...params };
    let response: Response;
    try {
      response = await fetch(`${httpUrl}${publicUrl.slice(account.publicUrl.length)}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": twilio.getExpectedTwilioSignature(account.authToken, publicUrl, form),
        },
        body: new URLSearchParams(form).toString(),
      });
    } catch (error) {
      throw new CliError(`cannot reach the hub at ${httpUrl} (${String(error)}); is it running? (--http <url>)`);
    }
    const text = await response.text();
    if (!response.ok) throw new CliError(`the hub answered ${response.status}: ${text.slice(0, 300)}`);
    return parseTwiml(text);
  }

  const say = (who: string, twiml: TwimlNode) => {
    const words = spoken(twiml);
    if (words) console.log(`${who} hears: ${words}`);
  };
  const caller = { CallSid: callSid, From: from, To: center, Caller: from, Called: center };
  console.log(`Calling the center from ${from}${household ? ` (${household})` : ""}…`);
  let twiml = await post("/api/twilio/voice/inbound", { ...caller, Direction: "inbound", CallStatus: "ringing" });
  console.log("The call is stored as an alarm: see the console.");
  for (let step = 0; step < MOST_STEPS; step++) {
    say("The caller", twiml);
    const dial = twiml.children.find((node) => node.name === "Dial");
    if (!dial) break;
    const lines = dial.children;
    console.log(`Ringing for ${dial.attrs.timeout ?? "?"} s: ${lines.map((line) => line.text).join(", ")}`);
    const line = values.answer ? lines[0] : undefined;
    let dialStatus = "no-answer";
    if (line?.attrs.url) {
      const leg = {
        CallSid: `CA${randomBytes(16).toString("hex")}`,
        ParentCallSid: callSid,
        From: from,
        To: line.text,
      };
      const whisper = await post(line.attrs.url, { ...leg, Direction: "outbound-dial", CallStatus: "in-progress" });
      say(`${line.text}`, whisper);
      const gather = whisper.children.find((node) => node.name === "Gather");
      if (gather?.attrs.action) {
        const taken = await post(gather.attrs.action, { ...leg, Direction: "outbound-dial", Digits: "1" });
        say(`${line.text}`, taken);
        dialStatus = "completed";
        console.log(`${line.text} took the call; the alarm is acknowledged in their name.`);
      }
    } else if (values.answer) {
      console.log("Nobody to pick up.");
    } else {
      console.log("Nobody picks up (pass --answer to take the call on the first line).");
    }
    const action = dial.attrs.action;
    if (!action) break;
    twiml = await post(action, {
      ...caller,
      Direction: "inbound",
      CallStatus: "in-progress",
      DialCallStatus: dialStatus,
      ...(dialStatus === "completed" ? { DialCallDuration: "42" } : {}),
    });
  }
  console.log("The call has ended.");
  return 0;
}
