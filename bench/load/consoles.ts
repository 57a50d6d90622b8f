/** The orchestrator's handle on the consoles' child process (consoles-main.ts). */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { ConsoleCommand, ConsoleMessage, ConsoleReport } from "./consoles-main.ts";
import { REPO_ROOT } from "./hub-process.ts";

export class Consoles {
  private readonly child: ChildProcess;
  private readonly listeners: ((message: ConsoleMessage) => void)[] = [];

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on("message", (message: ConsoleMessage) => {
      for (const listener of this.listeners.splice(0)) listener(message);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private next(): Promise<ConsoleMessage> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error("the consoles' process exited"));
      this.child.once("exit", onExit);
      this.listeners.push((message) => {
        this.child.off("exit", onExit);
        resolve(message);
      });
    });
  }

  private send(command: ConsoleCommand): void {
    if (this.child.connected) this.child.send(command);
  }

  static async start(httpPort: number, username: string, password: string, count: number): Promise<Consoles> {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "bench/load/consoles-main.ts")], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const consoles = new Consoles(child);
    const started = consoles.next();
    consoles.send({ type: "start", httpPort, username, password, count });
    const answer = await started;
    if (answer.type === "started" && answer.error) {
      await consoles.close();
      throw new Error(`consoles could not connect: ${answer.error}`);
    }
    return consoles;
  }

  phase(): void {
    this.send({ type: "phase" });
  }

  async report(): Promise<ConsoleReport> {
    const reply = this.next();
    this.send({ type: "report" });
    const message = await reply;
    if (message.type !== "report") throw new Error("consoles answered out of turn");
    return message;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.send({ type: "exit" });
    setTimeout(() => this.child.kill("SIGKILL"), 5000).unref();
    await exited;
  }
}
