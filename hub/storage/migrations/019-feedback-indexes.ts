/**
 * Version 19 (issue 12): the device's feedback lookup reads what is open, not
 * the device's whole history. Each feedback a device gets (several per press)
 * asked for every alarm the device ever made and sorted them; a button that
 * runs a test call every day has hundreds within a year, and under the load
 * bench's mass event this lookup took 9% of the hub's time.
 * - `alarms_device_open`: a device's open alarms (a few at most).
 * - `presses_device_joined`: a device's SOS and service presses with their
 *   alarm, which is how it joins a household incident another device opened
 *   (rare: test presses, the daily ones, are not in it).
 * The newest alarm of a device, when none is open, comes from `alarms_device`.
 * Released: never edit, add a migration instead.
 */
export const FEEDBACK_INDEXES_SQL = `
CREATE INDEX alarms_device_open ON alarms(device_id, id)
  WHERE status NOT IN ('resolved', 'followed_up', 'cancelled');
CREATE INDEX presses_device_joined ON presses(device_id, alarm_id) WHERE kind IN ('sos', 'service');
`;
