/**
 * Version 22 (issue 14): who answered a call to the center, and how it ended.
 *
 * A call to the center rings the operators on duty at once, then the
 * supervisors (hub/voice/inbound-call-router.ts). The first to accept it (a key
 * pressed after the whisper, so a voicemail never takes a call) is kept on the
 * call's row: `answered_by` (null for the configured supervisor phone, which is
 * no account) and `answered_at`. Set once, by `UPDATE … WHERE answered_at IS
 * NULL`: a second operator accepting at the same moment is told the call is
 * taken. The number's own status callback says how the call ended
 * (`ended_status`: completed, busy, no-answer, failed, canceled) and how long it
 * lasted (`duration_s`), once. Released: never edit, add a migration instead.
 */
export const CALL_ANSWERS_SQL = `
ALTER TABLE inbound_calls ADD COLUMN answered_by INTEGER REFERENCES users(id);
ALTER TABLE inbound_calls ADD COLUMN answered_at TEXT;
ALTER TABLE inbound_calls ADD COLUMN ended_status TEXT;
ALTER TABLE inbound_calls ADD COLUMN duration_s INTEGER;
`;

export const CALL_ANSWERS_POSTGRES = `
ALTER TABLE inbound_calls ADD COLUMN answered_by BIGINT REFERENCES users(id);
ALTER TABLE inbound_calls ADD COLUMN answered_at TEXT;
ALTER TABLE inbound_calls ADD COLUMN ended_status TEXT;
ALTER TABLE inbound_calls ADD COLUMN duration_s INTEGER;
`;
