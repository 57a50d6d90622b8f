/**
 * Each texted relative's own read-only status page, `/f/<token>`. The token is
 * 256 random bits (base64url, 43 characters), so it cannot be guessed; only
 * its SHA-256 is stored, so the database alone never yields a working link.
 * It works until the alarm has been closed for ANXIN_FAMILY_LINK_GRACE_H hours.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { SmsLanguage } from "../notify/sms-text.ts";
import type { SqlSession } from "../storage/sql/sql-port.ts";

const TOKEN_BYTES = 32;
/** What a token looks like; anything else is refused before the database is asked. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface FamilyLinkRow {
  id: number;
  alarm_id: number;
  relative_id: number;
  language: SmsLanguage;
  token_hash: string;
  created_at: string;
}

/** What the relatives' cascade needs to put a relative's link in their first SMS. */
export interface FamilyLinkMinter {
  mint(alarmId: number, relative: { id: number; language: SmsLanguage }): Promise<string>;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function familyPath(token: string): string {
  return `/f/${token}`;
}

export class FamilyLinks implements FamilyLinkMinter {
  private readonly sql: SqlSession;
  private readonly publicUrl: string;
  private readonly clock: Clock;

  constructor(sql: SqlSession, options: { publicUrl: string; clock: Clock }) {
    this.sql = sql;
    this.publicUrl = options.publicUrl.replace(/\/+$/, "");
    this.clock = options.clock;
  }

  /**
   * A new link for this relative and alarm, inside the transaction that queues
   * the SMS carrying it. That SMS's dedupe key is one per relative and alarm as
   * well, so a second call (which keeps the first hash) comes with an SMS the
   * outbox ignores: the link a relative holds is always the stored one.
   */
  async mint(alarmId: number, relative: { id: number; language: SmsLanguage }): Promise<string> {
    const token = randomBytes(TOKEN_BYTES).toString("base64url");
    await this.sql.run(
      `INSERT INTO family_links (alarm_id, relative_id, language, token_hash, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (alarm_id, relative_id) DO NOTHING`,
      [alarmId, relative.id, relative.language, hashToken(token), this.clock().toISOString()],
    );
    return `${this.publicUrl}${familyPath(token)}`;
  }

  /** The link a token opens, or undefined for anything that is not one of ours. */
  async find(token: string): Promise<FamilyLinkRow | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    return this.sql.get<FamilyLinkRow>("SELECT * FROM family_links WHERE token_hash = ?", [hashToken(token)]);
  }
}
