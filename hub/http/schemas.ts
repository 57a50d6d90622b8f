import Type from "typebox";
import type { UserRow } from "../storage/user-repo.ts";

export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});

/** The logged-in person, as login, `/api/auth/me` and `/api/worker/me` answer it. */
export const UserBody = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Type.String(),
  displayName: Type.String(),
  language: Type.String(),
  /** True until the person replaces a password someone else set: the pages then show only the change form. */
  mustChangePassword: Type.Boolean(),
});

export function userBody(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    displayName: user.display_name,
    language: user.language,
    mustChangePassword: user.must_change_password !== 0,
  };
}
