/**
 * Client ids, usernames and topics are the sender's text, up to 64 KB each in
 * MQTT: a log line quotes at most this many characters of each, so a hostile
 * client cannot flood the log through them.
 */
import { boundedText } from "../../protocol/index.ts";

export const LOGGED_LENGTH = 128;

export function logged(text: string | undefined): string | undefined {
  return text === undefined ? undefined : boundedText(text, LOGGED_LENGTH);
}
