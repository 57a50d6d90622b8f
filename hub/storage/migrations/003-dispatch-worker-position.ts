/**
 * Version 3: what the dispatch cascade and the worker page need beyond version 2.
 * - the accuracy a worker's phone reported with its position, so an operator can
 *   tell a GPS fix from a cell-tower guess when the ranking looks odd;
 * - at most one open offer per alarm, enforced by SQLite: the cascade, the offer
 *   watcher and an operator's manual dispatch may race, and two workers must
 *   never both believe they are the one on the way.
 * Released: never edit, add a migration instead.
 */
export const DISPATCH_WORKER_POSITION_SQL = `
ALTER TABLE workers ADD COLUMN position_accuracy_m REAL;
CREATE UNIQUE INDEX dispatch_offers_one_open ON dispatch_offers(alarm_id) WHERE status = 'offered';
`;
