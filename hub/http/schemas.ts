import type { SessionUser } from "../../protocol/console/index.ts";
import type { UserRow } from "../storage/user-repo.ts";

/** The signed-in person as every session answer carries them (protocol/console/session.ts). */
export function userBody(user: UserRow): SessionUser {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    displayName: user.display_name,
    language: user.language,
    mustChangePassword: user.must_change_password !== 0,
  };
}
