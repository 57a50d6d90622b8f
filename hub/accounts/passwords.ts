/**
 * Hashing and generating people's passwords.
 *
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane) rather
 * than the library's default (64 MiB, 3 passes, 4 lanes): OWASP rates the two
 * as equivalent defences, and the cheaper one makes a hash ~25 ms instead of
 * ~190 ms on the 2-core hub, so the first start can give each of 24 demo
 * workers their own password without a visible pause. Parameters are stored in
 * each hash, so older hashes made with the defaults still verify.
 */
import { randomInt } from "node:crypto";
import argon2 from "argon2";

const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return argon2.verify(hash, password);
}

/** No 0/o, 1/l/i: a one-time password is read off a screen or a sheet and typed, maybe on a phone. */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const GROUPS = 4;
const GROUP_LENGTH = 4;

/**
 * A one-time password such as `k7mw-p3xa-9qth-e2nd`: 16 random characters from
 * 31 (about 79 bits), in groups of four so it can be read out, and 19
 * characters long, so it passes the policy it is held to like any other.
 */
export function generatePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g += 1) {
    let group = "";
    for (let i = 0; i < GROUP_LENGTH; i += 1) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join("-");
}
