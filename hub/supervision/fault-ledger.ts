/**
 * Opens and clears device faults. Each change is the fault row plus a
 * `device_events` row, written inside the caller's transaction; what changed
 * is queued on the transaction's `AfterCommit` (hub/after-commit.ts) and
 * announced to the consoles only once that transaction has committed
 * (`transact`), never before.
 */

import type { Logger } from "pino";
import type {
  DeviceEventDetails,
  DeviceFault,
  DeviceTest,
  FaultDetails,
  FaultKind,
  FaultOpened,
} from "../../protocol/console/index.ts";
import { AfterCommit } from "../after-commit.ts";
import type { EventBus } from "../events.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";
import type { FaultRepository } from "./fault-repo.ts";
import { faultView } from "./supervision-views.ts";

export class FaultLedger {
  private readonly sql: SqlSession;
  private readonly repo: FaultRepository;
  private readonly bus: EventBus;
  private readonly logger: Logger;

  constructor(deps: { sql: SqlSession; repo: FaultRepository; bus: EventBus; logger: Logger }) {
    this.sql = deps.sql;
    this.repo = deps.repo;
    this.bus = deps.bus;
    this.logger = deps.logger;
  }

  /** Runs `work` in one transaction, then announces its effects; returns what `work` returned. */
  async transact<T>(work: (effects: AfterCommit) => T | Promise<T>): Promise<T> {
    const effects = new AfterCommit();
    const result = await this.sql.transaction(async () => work(effects));
    await this.afterCommit(effects);
    return result;
  }

  async afterCommit(effects: AfterCommit): Promise<void> {
    // Committed already: a lost publish is made good by the next scan, a reconnect, or the deadline.
    await effects.run((error) => this.logger.warn({ err: error }, "after-commit work of device supervision failed"));
  }

  /** Inside a transaction: consoles hear of the fault once it has committed. */
  announceFault(fault: DeviceFault, effects: AfterCommit): void {
    effects.add(() => this.bus.emit("device.fault", { fault }));
  }

  /** Inside a transaction: consoles hear of the test request once it has committed. */
  announceTest(test: DeviceTest, effects: AfterCommit): void {
    effects.add(() => this.bus.emit("device.test", { test }));
  }

  /** Inside a transaction: opens the fault unless one of its kind is open. Returns true when it opened. */
  async open<K extends FaultKind>(
    deviceId: string,
    kind: K,
    at: string,
    detail: FaultDetails[K],
    effects: AfterCommit,
  ): Promise<boolean> {
    const row = await this.repo.open(deviceId, kind, at, detail);
    if (!row) return false;
    // `kind` and `detail` agree (both of K); TypeScript cannot carry that into the union of kinds by itself.
    const opened = { faultId: row.id, kind, ...detail } as FaultOpened;
    await this.repo.appendEvent(deviceId, "fault_opened", "system", at, opened);
    this.announceFault(faultView(row), effects);
    this.logger.warn({ code: "DEVICE_FAULT", deviceId, ...opened }, "device fault opened");
    return true;
  }

  /** Inside a transaction: clears the device's open faults of these kinds. Returns how many it cleared. */
  async clear(
    deviceId: string,
    kinds: readonly FaultKind[],
    at: string,
    reason: DeviceEventDetails["fault_cleared"]["reason"],
    actor: string,
    effects: AfterCommit,
  ): Promise<number> {
    const cleared = await this.repo.clear(deviceId, kinds, at, reason);
    for (const row of cleared) {
      await this.repo.appendEvent(deviceId, "fault_cleared", actor, at, { faultId: row.id, kind: row.kind, reason });
      this.announceFault(faultView(row), effects);
      this.logger.info({ deviceId, kind: row.kind, faultId: row.id, reason }, "device fault cleared");
    }
    return cleared.length;
  }
}
