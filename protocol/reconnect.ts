/**
 * How a device reconnects (docs/protocol.md, "Reconnecting"): after a random
 * wait whose bound starts at RECONNECT_FIRST_MAX_MS and grows by
 * RECONNECT_GROWTH per failed attempt up to RECONNECT_MAX_MS; an attempt with
 * no CONNACK after CONNACK_WAIT_MS has failed; a refused TCP connection does
 * not grow the bound for RECONNECT_REFUSED_HOLD_MS after the loss. The hub relies on the bound too:
 * after it starts it gives the fleet this long to come back before it counts
 * anyone's silence (hub/supervision/device-supervisor.ts).
 */
/**
 * How long an attempt waits for its CONNACK before it counts as failed. Long on purpose: when a fleet
 * reconnects at once the hub answers the CONNECTs in the order they came, so the last of 20,000 may
 * wait many seconds; a device that gives up after 5 s only joins the back of the queue again, and its
 * abandoned login was work the hub did for nothing (issue 12 saw 5,000 buttons never settle that way).
 */
export const CONNACK_WAIT_MS = 20_000;
export const RECONNECT_FIRST_MAX_MS = 2_000;
export const RECONNECT_GROWTH = 1.5;
export const RECONNECT_MAX_MS = 30_000;
/**
 * For this long after a loss, an attempt the hub's host refused at once (TCP connection refused:
 * nothing listens, the hub is restarting) does not grow the bound. A refusal costs the hub nothing,
 * and a grown bound is how long the last device may still wait once it listens again: after a 5 s
 * restart, growing on refusals left 5,000 buttons 19–25 s to come back (issue 12). After this long,
 * refusals grow it like any failure, so an outage of hours settles at the slow rate.
 */
export const RECONNECT_REFUSED_HOLD_MS = 30_000;
