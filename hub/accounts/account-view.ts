/**
 * The one view of an account every answer of the accounts API uses (its shape:
 * AccountSchema in protocol/console/accounts.ts). No answer ever carries a
 * password hash.
 */
import type { AccountView } from "../../protocol/console/index.ts";
import type { AccountRow } from "../storage/user-repo.ts";

export type { AccountView };

export function accountView(row: AccountRow): AccountView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    language: row.language,
    contact: row.contact,
    worker:
      row.worker_id !== null && row.worker_code !== null
        ? { id: row.worker_id, code: row.worker_code, name: row.worker_name ?? "" }
        : null,
    disabled: row.disabled !== 0,
    mustChangePassword: row.must_change_password !== 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordChangedAt: row.password_changed_at,
    disabledAt: row.disabled_at,
  };
}
