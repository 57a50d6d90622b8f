/**
 * The service request's own state machine, kept as data like the alarm's
 * (hub/storage/alarm-transitions.ts) but simpler: a service call is not an emergency,
 * so there is no offer to accept and no arrival to report.
 *
 *   open → assigned → done
 *   assigned → assigned (re-assigned to another worker)
 *   open | assigned → cancelled
 *
 * `ServiceRequestRepository.transition` refuses anything else with
 * `SERVICE_REQUEST_TRANSITION_ILLEGAL`, so routing, operators, workers and the
 * alarm's close-out are all checked by the same table.
 */
import type { ServiceRequestStatus } from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";

/** The legal transitions: from → the states it may move to. */
export const SERVICE_TRANSITIONS: Readonly<Record<ServiceRequestStatus, readonly ServiceRequestStatus[]>> = {
  open: ["assigned", "cancelled"],
  // assigned → assigned is a re-assignment to another worker.
  assigned: ["assigned", "done", "cancelled"],
  done: [],
  cancelled: [],
};

export function isLegalServiceTransition(from: ServiceRequestStatus, to: ServiceRequestStatus): boolean {
  return SERVICE_TRANSITIONS[from].includes(to);
}

/** Throws `SERVICE_REQUEST_TRANSITION_ILLEGAL` (409) for a move the table does not list. */
export function assertServiceTransition(
  from: ServiceRequestStatus,
  to: ServiceRequestStatus,
  requestId?: number,
): void {
  if (!isLegalServiceTransition(from, to)) {
    throw new AnxinError(
      "SERVICE_REQUEST_TRANSITION_ILLEGAL",
      `service request${requestId === undefined ? "" : ` ${requestId}`} is ${from}; it cannot become ${to}`,
      { from, to, requestId: requestId ?? null },
    );
  }
}

export function serviceRequestNotFound(requestId: number): AnxinError {
  return new AnxinError("SERVICE_REQUEST_NOT_FOUND", `service request ${requestId} does not exist`, { requestId });
}
