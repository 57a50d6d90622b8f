/**
 * The accounts API's shapes (`/api/users`, `/api/auth/password`) and the one
 * view of an account every answer uses. No answer ever carries a password
 * hash; a generated password appears once, in the answer to the request that
 * made it.
 */
import Type from "typebox";
import type { AccountRow } from "../storage/user-repo.ts";
import {
  CONTACT_FIELD_PATTERN,
  CONTACT_MAX,
  DISPLAY_NAME_MAX,
  LANGUAGES,
  USERNAME_MAX,
  USERNAME_PATTERN,
} from "./account-rules.ts";
import { MAX_PASSWORD_LENGTH } from "./password-policy.ts";

const Role = Type.Enum(["operator", "supervisor", "admin", "worker", "monitor"]);
const Language = Type.Enum([...LANGUAGES]);
const DisplayName = Type.String({ minLength: 1, maxLength: DISPLAY_NAME_MAX, pattern: "\\S" });
/** Blank or null: no contact on record. */
const Contact = Type.Union([Type.String({ maxLength: CONTACT_MAX, pattern: CONTACT_FIELD_PATTERN }), Type.Null()]);
/** Length and commonness are the policy's (coded errors); the schema only bounds what is hashed. */
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH });
const WorkerId = Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]);

export const NewAccountBody = Type.Object(
  {
    username: Type.String({ maxLength: USERNAME_MAX, pattern: USERNAME_PATTERN }),
    displayName: DisplayName,
    role: Role,
    language: Type.Optional(Language),
    contact: Type.Optional(Contact),
    /** Required for role `worker`: the worker record this login is. */
    workerId: Type.Optional(WorkerId),
    /** Omitted: the hub generates a one-time password and answers it once. */
    password: Type.Optional(Password),
  },
  { additionalProperties: false },
);

export const AccountChangesBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    role: Type.Optional(Role),
    language: Type.Optional(Language),
    contact: Type.Optional(Contact),
    workerId: Type.Optional(WorkerId),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ResetPasswordBody = Type.Object({ password: Type.Optional(Password) }, { additionalProperties: false });

export const OwnPasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);

export const AccountSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  language: Type.String(),
  contact: Type.Union([Type.String(), Type.Null()]),
  worker: Type.Union([Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() }), Type.Null()]),
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
  passwordChangedAt: Type.Union([Type.String(), Type.Null()]),
  disabledAt: Type.Union([Type.String(), Type.Null()]),
});

export const AccountWithPassword = Type.Object({
  user: AccountSchema,
  /** The generated one-time password, shown once; null when the administrator typed one. */
  oneTimePassword: Type.Union([Type.String(), Type.Null()]),
});

export interface AccountView {
  id: number;
  username: string;
  displayName: string;
  role: string;
  language: string;
  contact: string | null;
  worker: { id: number; code: string; name: string } | null;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string | null;
  passwordChangedAt: string | null;
  disabledAt: string | null;
}

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
