/**
 * Version 17: reserved for another part of issue 12, which numbers its own
 * migration 17 (this branch's is 18). It does nothing; when the two branches
 * meet, this file and its entry in index.ts give way to that migration.
 */
export const RESERVED_17_SQL = "";
