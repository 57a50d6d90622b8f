/**
 * Staff accounts (`/api/users`, administrators only) and everyone's own password
 * (`/api/auth/password`): the rules an account's fields follow, the bodies, and
 * the one view of an account every answer uses. No answer ever carries a password
 * hash; a generated password appears once, in the answer to the request that made it.
 */
import Type, { type Static } from "typebox";
import { LANGUAGES, ROLES, UserBody } from "./session.ts";

/** 2–32 letters, digits, '.', '_' or '-': typed at every login, also on a phone (demo workers: `KL-W001`). */
export const USERNAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$";
export const USERNAME_MAX = 32;
export const DISPLAY_NAME_MAX = 64;
/** E.164 phone (`+8613912345678`) or SIP address (`sip:op1@pbx.example`): how the voice work reaches a person. */
export const CONTACT_PATTERN = "^(\\+[1-9][0-9]{6,14}|sips?:[^\\s@]+@[^\\s@]+)$";
export const CONTACT_MAX = 128;
/** The API's contact field: a contact, or blank for none. */
export const CONTACT_FIELD_PATTERN = `${CONTACT_PATTERN}|^\\s*$`;
/** Bounded so a request cannot make argon2 hash megabytes; the login form allows the same. */
export const MAX_PASSWORD_LENGTH = 256;

const Role = Type.Enum(ROLES);
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
export type NewAccount = Static<typeof NewAccountBody>;

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
export type AccountChanges = Static<typeof AccountChangesBody>;

export const ResetPasswordBody = Type.Object({ password: Type.Optional(Password) }, { additionalProperties: false });
export type ResetPassword = Static<typeof ResetPasswordBody>;

export const OwnPasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);
export type OwnPassword = Static<typeof OwnPasswordBody>;
/** `POST /api/auth/password`: the person, no longer asked to change the password. */
export const OwnPasswordReplySchema = Type.Object({ user: UserBody });
export type OwnPasswordReply = Static<typeof OwnPasswordReplySchema>;

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
export type AccountView = Static<typeof AccountSchema>;

/** `GET /api/users`: every account, staff and community workers. */
export const AccountListSchema = Type.Object({ users: Type.Array(AccountSchema) });
export type AccountList = Static<typeof AccountListSchema>;

/** One account: read, changed, disabled or enabled. */
export const AccountReplySchema = Type.Object({ user: AccountSchema });
export type AccountReply = Static<typeof AccountReplySchema>;

/** A created account or a reset password. */
export const AccountWithPasswordSchema = Type.Object({
  user: AccountSchema,
  /** The generated one-time password, shown once; null when the administrator typed one. */
  oneTimePassword: Type.Union([Type.String(), Type.Null()]),
});
export type AccountWithPassword = Static<typeof AccountWithPasswordSchema>;
