/**
 * `npm run users` as an administrator at a shell uses it: a real child process
 * on the data directory of a running hub. Exit codes, the one-time password
 * printed once (or read from standard input), the same checks as the console,
 * audit rows as `cli:<os user>`, and a running hub that closes the open console
 * of an account the CLI disabled, though the CLI is another process.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_ENDED_CLOSE } from "../hub/http/routes/realtime-routes.ts";
import { client, openSocket, tryLogin } from "./support/accounts-client.ts";
import { startTestHub, type TestHub } from "./support/test-hub.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ONE_TIME = /^([a-z2-9]{4}(?:-[a-z2-9]{4}){3})$/m;
let th: TestHub;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  th = await startTestHub({ twilio: false });
  call = client(th);
}, 60_000);

afterAll(async () => {
  await th?.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function users(args: string[], input?: string, dataDir: string | null = th.dataDir): Promise<Run> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "hub/accounts/cli.ts", ...args, ...(dataDir ? ["--data-dir", dataDir] : [])],
    {
      cwd: repoRoot,
      env: { ...process.env, ANXIN_DATA_DIR: "", ANXIN_DATABASE_URL: "" },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.end(input ?? "");
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function oneTimeIn(run: Run): string {
  const found = ONE_TIME.exec(run.stdout)?.[1];
  if (!found) throw new Error(`no one-time password printed: ${run.stdout} ${run.stderr}`);
  return found;
}

describe("users CLI", () => {
  it("explains itself and refuses what it cannot do with the documented exit codes", async () => {
    const nowhere = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "anxin-users-")), "none");
    const [help, bare, unknown, noDatabase, noRole, noWorker, workerTaken] = await Promise.all([
      users(["--help"], undefined, null),
      users([], undefined, null),
      users(["promote", "x"]),
      users(["list"], undefined, nowhere),
      users(["add", "x1", "--name", "X"]),
      users(["add", "w1", "--role", "worker", "--name", "W", "--worker", "KL-W999"]),
      users(["add", "w1", "--role", "worker", "--name", "W", "--worker", "KL-W001"]),
    ]);
    expect(help.code).toBe(0);
    for (const text of ["add <username>", "reset-password", "disable", "enable", "list", "--password-stdin"]) {
      expect(help.stdout).toContain(text);
    }
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain("npm run users -- add");
    expect([unknown.code, noDatabase.code, noRole.code, noWorker.code]).toEqual([2, 2, 2, 2]);
    expect(unknown.stderr).toContain('unknown command "promote"');
    expect(noDatabase.stderr).toContain("no hub database");
    expect(fs.existsSync(nowhere)).toBe(false);
    expect(noRole.stderr).toContain("--role is required");
    expect(noWorker.stderr).toContain("no worker with code KL-W999");
    expect(workerTaken.code).toBe(1);
    expect(workerTaken.stderr).toContain("USER_WORKER_TAKEN");
  }, 60_000);

  it("adds an operator whose printed one-time password must be changed, audited as the OS user", async () => {
    const added = await users([
      "add",
      "op.cli",
      "--role",
      "operator",
      "--name",
      "命令行",
      "--contact",
      "+8613900001111",
    ]);
    expect(added.code, added.stderr).toBe(0);
    const password = oneTimeIn(added);
    const cookie = await tryLogin(th, "op.cli", password);
    if (typeof cookie !== "string") throw new Error(`login refused: ${cookie}`);
    expect((await call("GET", "/api/auth/me", cookie)).body.user).toMatchObject({
      displayName: "命令行",
      mustChangePassword: true,
    });
    expect((await call("GET", "/api/alarms?status=open", cookie)).body.code).toBe("AUTH_PASSWORD_CHANGE_REQUIRED");
    const row = th.hub.db
      .prepare("SELECT actor, detail FROM audit_log WHERE action = 'user_created' AND target = 'user:op.cli'")
      .get() as { actor: string; detail: string };
    expect(row.actor).toBe(`cli:${os.userInfo().username}`);
    expect(row.detail).not.toContain(password);

    const again = await users(["add", "OP.CLI", "--role", "operator", "--name", "x"]);
    expect([again.code, again.stderr.split("\n")[0]]).toEqual([1, "USER_EXISTS: the username op.cli is taken"]);
  }, 30_000);

  it("reads a typed password from standard input, held to the same policy", async () => {
    const common = await users(
      ["add", "sup.cli", "--role", "supervisor", "--name", "S", "--password-stdin"],
      "password1234\n",
    );
    expect(common.code).toBe(1);
    expect(common.stderr).toContain("PASSWORD_TOO_COMMON");
    const typed = "a password typed in\n";
    const added = await users(["add", "sup.cli", "--role", "supervisor", "--name", "S", "--password-stdin"], typed);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).not.toContain(typed.trim());
    expect(added.stdout).toContain("must change this password at first login");
    expect(typeof (await tryLogin(th, "sup.cli", typed.trim()))).toBe("string");
  }, 30_000);

  it("disables, enables and resets while the hub runs; the hub closes the open console", async () => {
    const added = await users(["add", "op.live", "--role", "operator", "--name", "在线"]);
    const oneTime = oneTimeIn(added);
    const cookie = await tryLogin(th, "op.live", oneTime);
    if (typeof cookie !== "string") throw new Error("login refused");
    const own = "operator's own passphrase";
    await call("POST", "/api/auth/password", cookie, { currentPassword: oneTime, newPassword: own });
    const open = await openSocket(th, cookie);

    const disabled = await users(["disable", "op.live"]);
    expect([disabled.code, disabled.stdout]).toEqual([0, "op.live: disabled\n"]);
    // Another process ended the session: the hub notices on its next check and closes the socket.
    expect(await open.closed).toBe(SESSION_ENDED_CLOSE);
    expect((await call("GET", "/api/auth/me", cookie)).status).toBe(401);
    expect(await tryLogin(th, "op.live", own)).toBe(401);

    const listed = await users(["list"]);
    expect(listed.stdout).toMatch(/op\.live\s+operator\s+在线\s+zh-CN\s+-\s+-\s+disabled/);
    expect((await users(["enable", "op.live"])).stdout).toBe("op.live: enabled\n");
    expect(typeof (await tryLogin(th, "op.live", own))).toBe("string");

    const reset = await users(["reset-password", "op.live"]);
    expect(reset.code).toBe(0);
    expect(await tryLogin(th, "op.live", own)).toBe(401);
    const after = await tryLogin(th, "op.live", oneTimeIn(reset));
    if (typeof after !== "string") throw new Error("one-time login refused");
    expect((await call("GET", "/api/auth/me", after)).body.user?.mustChangePassword).toBe(true);

    const json = JSON.parse((await users(["list", "--json"])).stdout) as { username: string; disabled: boolean }[];
    expect(json.find((a) => a.username === "op.live")).toMatchObject({ disabled: false });
    const audited = th.hub.db
      .prepare("SELECT action FROM audit_log WHERE target = 'user:op.live' AND actor LIKE 'cli:%' ORDER BY id")
      .all();
    expect(audited).toEqual([
      { action: "user_created" },
      { action: "user_disabled" },
      { action: "user_enabled" },
      { action: "user_password_reset" },
    ]);
  }, 60_000);

  it("will not disable the last enabled administrator", async () => {
    const refused = await users(["disable", "admin"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("USER_LAST_ADMIN");
    expect(typeof (await tryLogin(th, "admin", th.adminPassword))).toBe("string");
  }, 30_000);
});
