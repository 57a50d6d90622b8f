/**
 * Reading what relatives text back. A confirmation is a short reply made only
 * of agreement words (`1`, `收到`, `ok`, `好`…), full-width or not, with any
 * punctuation; anything longer is shown to operators but does not stop the
 * cascade, since "who is this?" or "不在家" must not be read as "I am on it".
 */
const CONFIRM_WORDS = new Set([
  "1",
  "收到",
  "已收到",
  "好",
  "好的",
  "是",
  "是的",
  "嗯",
  "确认",
  "知道",
  "知道了",
  "明白",
  "马上到",
  "在路上",
  "ok",
  "okay",
  "k",
  "yes",
  "y",
  "got it",
  "on my way",
]);

export function isConfirmation(body: string): boolean {
  const cleaned = body
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .trim();
  if (cleaned === "") return false;
  if (CONFIRM_WORDS.has(cleaned.replace(/\s+/g, " "))) return true;
  const tokens = cleaned.split(/\s+/);
  return tokens.every((token) => CONFIRM_WORDS.has(token));
}

/**
 * One spelling per number, so a reply's `From` (always E.164 from Twilio)
 * matches the number stored for the relative: spaces and dashes go, `00` is
 * `+`, and a bare mainland mobile number gets +86.
 */
export function normalisePhone(raw: string): string {
  const compact = raw.replace(/[\s\-().]/g, "");
  if (/^00[1-9]\d+$/.test(compact)) return `+${compact.slice(2)}`;
  if (/^1\d{10}$/.test(compact)) return `+86${compact}`;
  return compact;
}
