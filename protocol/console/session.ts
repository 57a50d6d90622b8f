/** Signing in, who is signed in, the hub's refusals, and the console's settings. */
import Type, { type Static } from "typebox";

/** Every refusal: the hub's error code (hub/errors.ts), a readable message, and per-field complaints. */
export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});
export type ErrorReply = Static<typeof ErrorBody>;

/** Who may sign in, and as what. */
export const ROLES = ["operator", "supervisor", "admin", "worker", "monitor"] as const;
export type Role = (typeof ROLES)[number];

/** The languages of the console, the worker page and the texts to relatives. */
export const LANGUAGES = ["zh-CN", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

/** The logged-in person, as login, `/api/auth/me` and `/api/worker/me` answer it. */
export const UserBody = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Type.Enum(ROLES),
  displayName: Type.String(),
  /** `zh-CN` or `en` (the account's; a console's own choice overrides it). */
  language: Type.String(),
  /** True until the person replaces a password someone else set: the pages then show only the change form. */
  mustChangePassword: Type.Boolean(),
});
export type SessionUser = Static<typeof UserBody>;

/** A login's and who-am-I's answer: the person and the center's time zone, which every date is shown in. */
export const SessionBody = Type.Object({ user: UserBody, timeZone: Type.String() });
export type SessionReply = Static<typeof SessionBody>;

/** `GET /api/console/settings`: the lifecycle deadlines (seconds after an alarm was received) and the session's lifetime. */
export const ConsoleSettingsSchema = Type.Object({
  deadlines: Type.Object({
    ackS: Type.Integer(),
    arrivalS: Type.Integer(),
    resolutionS: Type.Integer(),
  }),
  sessionTtlS: Type.Integer(),
});
export type ConsoleSettings = Static<typeof ConsoleSettingsSchema>;
