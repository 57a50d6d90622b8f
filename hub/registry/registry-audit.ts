/**
 * Every registry write goes to `audit_log` with who did it and what changed.
 * Health fields are named but their values are never copied into the log: the
 * audit trail is read by more people than the command center that needs them.
 */
import type { UserRepository, UserRow } from "../storage/user-repo.ts";

export type RegistryKind =
  | "grid"
  | "household"
  | "resident"
  | "relative"
  | "device"
  | "worker"
  | "clinic"
  | "gazetteer";

export type Actor = Pick<UserRow, "username" | "role">;

export type Changes = Record<string, { from: unknown; to: unknown } | { changed: true }>;

export function actorName(actor: Actor): string {
  return `user:${actor.username}`;
}

/**
 * The fields whose value differs between before and after (compared as JSON), as `{from, to}`;
 * fields listed in `valueHidden` appear only as `{changed: true}`.
 */
export function diffRecords<T extends object>(before: T, after: T, valueHidden: readonly string[] = []): Changes {
  const changes: Changes = {};
  const from = before as Readonly<Record<string, unknown>>;
  const to = after as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(to)) {
    if (JSON.stringify(from[key] ?? null) === JSON.stringify(to[key] ?? null)) continue;
    changes[key] = valueHidden.includes(key) ? { changed: true } : { from: from[key] ?? null, to: to[key] ?? null };
  }
  return changes;
}

export class RegistryAudit {
  private readonly users: UserRepository;

  constructor(users: UserRepository) {
    this.users = users;
  }

  created(actor: Actor, kind: RegistryKind, id: number | string, detail: Record<string, unknown>): Promise<void> {
    return this.users.audit(actorName(actor), "registry_created", `${kind}:${id}`, detail);
  }

  /** `extra` carries consequences of the change, such as households moved to another grid. */
  updated(
    actor: Actor,
    kind: RegistryKind,
    id: number | string,
    changes: Changes,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    return this.users.audit(actorName(actor), "registry_updated", `${kind}:${id}`, { changes, ...extra });
  }

  deleted(actor: Actor, kind: RegistryKind, id: number | string, detail: Record<string, unknown>): Promise<void> {
    return this.users.audit(actorName(actor), "registry_deleted", `${kind}:${id}`, detail);
  }

  /** Device actions and health-data views have their own action names. */
  record(actor: Actor, action: string, target: string, detail?: Record<string, unknown>): Promise<void> {
    return this.users.audit(actorName(actor), action, target, detail);
  }
}
