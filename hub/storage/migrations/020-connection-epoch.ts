/**
 * Version 20 (issue 13): `devices.connection_epoch`, the connection whose word
 * `online` is (hub/broker/device-connections.ts). Hubs that share a database
 * write presence behind, each on its own clock; with the epoch a status from a
 * device's older connection, flushed late by one hub, no longer overwrites the
 * `online` its newer connection on another hub said. Null: not known yet.
 * Released: never edit, add a migration instead.
 */
export const CONNECTION_EPOCH_SQL = "ALTER TABLE devices ADD COLUMN connection_epoch INTEGER;";

export const CONNECTION_EPOCH_POSTGRES = "ALTER TABLE devices ADD COLUMN connection_epoch BIGINT;";
