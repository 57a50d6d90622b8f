/**
 * A typed, in-process event bus (zigbee2mqtt style). Listeners are isolated: one
 * that throws or rejects is logged and the others still run, so a broken
 * realtime socket can never stop an alarm from reaching the rest of the hub.
 */

import type { Logger } from "pino";
import type { DeviceFault, DeviceTest, WriteCheck } from "../protocol/console/index.ts";
import type { AfterCommit } from "./after-commit.ts";
import type { AlarmSource, IncidentKind } from "./storage/alarm-repo.ts";
import type { OutboxChannel } from "./storage/outbox-repo.ts";

export interface HubEventMap {
  /** An alarm was created or changed; listeners re-read it from storage. */
  "alarm.changed": { alarmId: number; change: string };
  /**
   * A new alarm was stored (committed): a press or a call that opened an incident, not one that joined
   * an open one. Said once, by the hub that stored it (the metrics count it).
   */
  "alarm.received": { alarmId: number; kind: IncidentKind; source: AlarmSource };
  /** A device connected, disconnected or reported its status. */
  "device.status": { deviceId: string; online: boolean };
  /** New messages are waiting in the outbox. */
  "outbox.enqueued": { count: number };
  /**
   * The provider answered a message or call of the outbox, and the outcome was committed: `sent`,
   * `failed` (refused for good) or `retried` (due again after a backoff). Hang-ups are not messages.
   */
  "outbox.outcome": { channel: OutboxChannel; outcome: OutboxOutcome };
  /** A device fault was opened or cleared (committed); the payload is what consoles are shown. */
  "device.fault": { fault: DeviceFault };
  /** A test request to a device was made or moved on (committed). */
  "device.test": { test: DeviceTest };
  /**
   * A person's sessions were ended (committed): account disabled, password reset or
   * changed, role changed. Realtime closes that person's open sockets at once, except
   * the one on `keepTokenHash` (the session that changed its own password).
   */
  "user.sessions_revoked": { userId: number; reason: SessionsRevokedReason; keepTokenHash: string | null };
  /** One session ended by its own logout (committed); its live console closes at once. */
  "session.ended": { tokenHash: string };
  /** The database stopped or started again taking writes (hub/storage/write-probe.ts); consoles warn while it does not. */
  "storage.write": { check: WriteCheck };
  /**
   * A device's secret was rotated, or the device was revoked or deleted (committed).
   * The broker closes the device's open MQTT sessions at once.
   */
  "device.credentials_changed": { deviceId: string; reason: DeviceCredentialsReason };
}

export type OutboxOutcome = "sent" | "failed" | "retried";

export type DeviceCredentialsReason = "secret_rotated" | "revoked" | "deleted";

export type SessionsRevokedReason = "disabled" | "password_reset" | "password_changed" | "role_changed";

type Listener<T> = (payload: T) => void | Promise<void>;

export class EventBus {
  private readonly listeners = new Map<keyof HubEventMap, Set<Listener<never>>>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  on<K extends keyof HubEventMap>(event: K, listener: Listener<HubEventMap[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof HubEventMap>(event: K, payload: HubEventMap[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        const result = (listener as Listener<HubEventMap[K]>)(payload);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.logger.error({ err: error, event }, "event listener failed"));
        }
      } catch (error) {
        this.logger.error({ err: error, event }, "event listener failed");
      }
    }
  }

  /** What a committed transaction changed (hub/after-commit.ts): each alarm change, then the outbox's new messages. */
  announce(effects: AfterCommit): void {
    for (const { alarmId, change } of effects.changes) this.emit("alarm.changed", { alarmId, change });
    if (effects.outboxAdded > 0) this.emit("outbox.enqueued", { count: effects.outboxAdded });
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
