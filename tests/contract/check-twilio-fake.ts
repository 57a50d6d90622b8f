/**
 * Contract check for tests/support/fake-twilio.ts, run by `npm run test:contract`
 * (and .ci/run). The fake is only worth trusting if Twilio's own OpenAPI
 * description agrees with it, so every call goes SDK -> Prism proxy -> fake and
 * Prism validates both directions against the spec.
 *
 * Env: ANXIN_TWILIO_OPENAPI overrides the spec path; ANXIN_CONTRACT_VERBOSE=1
 * prints Prism's whole log.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SendResult } from "../../hub/notify/notifier.ts";
import { TwilioSmsNotifier } from "../../hub/notify/twilio-notifier.ts";
import { type FakeTwilio, type FakeTwilioLimits, startFakeTwilio } from "../support/fake-twilio.ts";
import { type Case, callCases, checkCallFields, describeResult, matches } from "./call-cases.ts";
import { callUpdateCases, checkCallUpdateFields } from "./call-update-cases.ts";
import { idempotencyCases } from "./idempotency-cases.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SPEC = resolve(REPO_ROOT, process.env.ANXIN_TWILIO_OPENAPI ?? "../shared/contracts/twilio_api_v2010.json");
const PRISM_BIN = resolve(REPO_ROOT, "node_modules/.bin/prism");
const ACCOUNT_SID = `AC${"0123456789abcdef".repeat(2)}`;
const AUTH_TOKEN = "fedcba9876543210".repeat(2);
const FROM = "+15005550006";
const TO = "+8613800138000";
const BODY = "【安心】王秀英按下了紧急按钮，请尽快联系她。";
/**
 * The spec lists only 201 for this operation, so Prism cannot validate error
 * bodies; it reports their status as a Warning (not an --errors Error) and
 * passes the response through. That one line is expected; anything else fails.
 */
const UNDOCUMENTED_STATUS = "Unable to match the returned status code with those defined in the document";
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

const started = performance.now();
const prismLog: string[] = [];
let prism: ChildProcess | undefined;

function stopPrism(): void {
  // Prism runs in its own process group so its children die with it.
  if (prism?.pid !== undefined && prism.exitCode === null) {
    try {
      process.kill(-prism.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
}

process.on("exit", stopPrism);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopPrism();
    process.exit(130);
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("no TCP port");
  return address.port;
}

async function startPrism(upstream: string, port: number): Promise<string> {
  const args = [
    "proxy",
    SPEC,
    upstream,
    "--errors",
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--no-multiprocess",
  ];
  const child = spawn(PRISM_BIN, args, {
    cwd: REPO_ROOT,
    detached: true,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  prism = child;
  const url = `http://127.0.0.1:${port}`;
  return new Promise((ready, fail) => {
    const timer = setTimeout(() => fail(new Error("Prism not listening after 60 s")), 60_000);
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString("utf8").replace(ANSI, "").split("\n")) {
        if (!line.trim()) continue;
        prismLog.push(line);
        if (process.env.ANXIN_CONTRACT_VERBOSE === "1") console.log(`  prism| ${line}`);
        if (line.includes("Prism is listening on")) {
          clearTimeout(timer);
          ready(url);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (error) => fail(error));
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`Prism exited with ${code} before listening:\n${prismLog.slice(-20).join("\n")}`));
    });
  });
}

/** Prism writes its log before answering, but the pipe may lag: wait for a marker request to show up. */
async function syncPrismLog(prismUrl: string, tag: string): Promise<void> {
  const marker = `/__anxin-contract-marker/${tag}`;
  await fetch(`${prismUrl}${marker}`).catch(() => undefined);
  const deadline = Date.now() + 5000;
  while (!prismLog.some((line) => line.includes(marker)) && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 20));
  }
}

function violationsIn(lines: string[]): { expected: string[]; unexpected: string[] } {
  const found = lines.filter((line) => /Violation:|VIOLATIONS|Request terminated with error/.test(line));
  const expected = found.filter((line) => line.includes(UNDOCUMENTED_STATUS));
  return { expected, unexpected: found.filter((line) => !expected.includes(line) && !line.includes("marker")) };
}

function rawPost(prismUrl: string, form: Record<string, string>): Promise<Response> {
  return fetch(`${prismUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(form).toString(),
  });
}

function fieldDiff(actual: string[], wanted: string[]): string | undefined {
  const missing = wanted.filter((f) => !actual.includes(f));
  const extra = actual.filter((f) => !wanted.includes(f));
  return missing.length || extra.length ? `missing [${missing.join(", ")}] extra [${extra.join(", ")}]` : undefined;
}

/**
 * What Prism cannot see: the message schema has no `required` list and allows
 * extra properties, and no error schema exists. So compare field names here,
 * still through Prism so its verdict (sl-violations) is checked too.
 */
async function checkFieldSets(prismUrl: string, fake: FakeTwilio): Promise<[string, string | undefined][]> {
  const spec = JSON.parse(readFileSync(SPEC, "utf8")) as {
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };
  const specFields = Object.keys(spec.components.schemas["api.v2010.account.message"]?.properties ?? {});
  const created = await rawPost(prismUrl, { To: TO, From: FROM, Body: BODY });
  const createdBody = (await created.json()) as Record<string, unknown>;
  const createdProblem =
    created.status !== 201
      ? `status ${created.status}: ${JSON.stringify(createdBody.validation ?? createdBody)}`
      : specFields.length === 0
        ? "spec has no api.v2010.account.message properties"
        : (fieldDiff(Object.keys(createdBody), specFields) ?? created.headers.get("sl-violations") ?? undefined);
  // Twilio's documented error body; the spec itself has none to compare with.
  const refused = await rawPost(prismUrl, { To: "13800138000", From: FROM, Body: BODY });
  const refusedBody = (await refused.json()) as Record<string, unknown>;
  const refusedProblem =
    refused.status !== 400
      ? `status ${refused.status}`
      : fieldDiff(Object.keys(refusedBody), ["code", "message", "more_info", "status"]);
  const callFields = Object.keys(spec.components.schemas["api.v2010.account.call"]?.properties ?? {});
  const account = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, to: TO };
  return [
    ["201 body has exactly the spec's message fields", createdProblem],
    ["400 body has Twilio's error fields (code, message, more_info, status)", refusedProblem],
    await checkCallFields(prismUrl, account, callFields, fieldDiff),
    await checkCallUpdateFields(prismUrl, fake, account, callFields, fieldDiff),
  ];
}

async function main(): Promise<number> {
  if (!existsSync(SPEC)) {
    console.error(`FAIL Twilio OpenAPI spec not found at ${SPEC} (set ANXIN_TWILIO_OPENAPI to override)`);
    return 2;
  }
  if (!existsSync(PRISM_BIN)) {
    console.error(`FAIL Prism CLI not found at ${PRISM_BIN}; run npm ci`);
    return 2;
  }
  const fake: FakeTwilio = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  try {
    const prismUrl = await startPrism(fake.url, await freePort());
    const prismReadyMs = performance.now() - started;
    const sender = (authToken = AUTH_TOKEN, statusCallbackUrl?: string): TwilioSmsNotifier =>
      new TwilioSmsNotifier({
        accountSid: ACCOUNT_SID,
        authToken,
        from: FROM,
        apiBaseUrl: prismUrl,
        timeoutMs: 5000,
        ...(statusCallbackUrl ? { statusCallbackUrl } : {}),
      });
    const failing = (status: number) => (): Promise<SendResult> => {
      fake.failNext(status);
      return sender().send({ outboxId: status, idempotencyKey: randomUUID(), to: TO, body: BODY });
    };
    /** One request to a busy stand-in (`setLimits`), which is back to normal afterwards. */
    const limited = (limits: FakeTwilioLimits) => async (): Promise<SendResult> => {
      fake.setLimits(limits);
      try {
        return await sender().send({ outboxId: 7, idempotencyKey: randomUUID(), to: TO, body: BODY });
      } finally {
        fake.setLimits({});
      }
    };
    const cases: Case[] = [
      {
        name: "201 created, zh-CN body",
        run: () => sender().send({ outboxId: 1, idempotencyKey: randomUUID(), to: TO, body: BODY }),
        expected: { ok: true },
      },
      {
        name: "201 created with StatusCallback (spec: format uri)",
        run: () =>
          sender(AUTH_TOKEN, "https://hub.example.org/twilio/status").send({
            outboxId: 9,
            idempotencyKey: randomUUID(),
            to: TO,
            body: BODY,
          }),
        expected: { ok: true },
      },
      {
        name: "400 invalid To (21211)",
        run: () => sender().send({ outboxId: 2, idempotencyKey: randomUUID(), to: "13800138000", body: BODY }),
        expected: { ok: false, retryable: false, status: 400, providerCode: 21211 },
      },
      {
        name: "401 wrong auth token (20003)",
        run: () => sender("0".repeat(32)).send({ outboxId: 3, idempotencyKey: randomUUID(), to: TO, body: BODY }),
        expected: { ok: false, retryable: false, status: 401, providerCode: 20003 },
      },
      { name: "429 rate limited", run: failing(429), expected: { ok: false, retryable: true, status: 429 } },
      {
        name: "429 over the stand-in's rate limit, Retry-After read by the client",
        run: limited({ ratePerSecond: 0 }),
        expected: { ok: false, retryable: true, status: 429, providerCode: 20429, retryAfterMs: 1000 },
      },
      {
        name: "429 at random (the stand-in's throttle share), Retry-After read by the client",
        run: limited({ throttleShare: 1 }),
        expected: { ok: false, retryable: true, status: 429, providerCode: 20429, retryAfterMs: 1000 },
      },
      { name: "500 server error", run: failing(500), expected: { ok: false, retryable: true, status: 500 } },
      { name: "503 unavailable", run: failing(503), expected: { ok: false, retryable: true, status: 503 } },
      ...callCases(prismUrl, fake, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, to: TO }),
      ...callUpdateCases(prismUrl, fake, { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, to: TO }),
      ...idempotencyCases(
        prismUrl,
        fake,
        { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: FROM, to: TO },
        (message) => sender().send(message),
        BODY,
      ),
    ];

    let failures = 0;
    for (const [index, c] of cases.entries()) {
      await c.setup?.();
      const logStart = prismLog.length;
      const seenByFake = fake.requests.length;
      const result = await c.run();
      await syncPrismLog(prismUrl, `case-${index}`);
      const violations = violationsIn(prismLog.slice(logStart));
      const problems: string[] = [];
      if (!matches(result, c.expected)) problems.push(`expected ${JSON.stringify(c.expected)}`);
      // A Prism-made answer (422, 401 from its own security check) would never reach the fake.
      if (fake.requests.length !== seenByFake + 1) problems.push("request did not reach the fake");
      const arrived = c.arrived ?? (() => fake.messages.at(-1)?.body === BODY);
      if (c.expected.ok && !arrived()) problems.push("body altered on the way");
      problems.push(...violations.unexpected);
      if (!c.expected.ok && violations.expected.length === 0) problems.push("Prism gave no status warning");
      const note = violations.expected.length > 0 ? " (error body not in spec: status-only)" : "";
      console.log(`${problems.length ? "FAIL" : "OK  "} ${c.name}: ${describeResult(result)}${note}`);
      for (const problem of problems) console.log(`       ${problem}`);
      if (problems.length) failures++;
    }

    const fieldChecks = await checkFieldSets(prismUrl, fake);
    for (const [name, problem] of fieldChecks) {
      console.log(`${problem ? "FAIL" : "OK  "} ${name}${problem ? `: ${problem}` : ""}`);
      if (problem) failures++;
    }

    const total = cases.length + fieldChecks.length;
    const totalMs = performance.now() - started;
    console.log(
      `twilio contract: ${total - failures}/${total} OK in ${(totalMs / 1000).toFixed(1)} s ` +
        `(Prism startup ${(prismReadyMs / 1000).toFixed(1)} s)`,
    );
    return failures === 0 ? 0 : 1;
  } finally {
    stopPrism();
    await fake.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`FAIL twilio contract check crashed: ${error instanceof Error ? error.message : String(error)}`);
    stopPrism();
    process.exit(1);
  },
);
