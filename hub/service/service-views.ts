/**
 * The API's shapes of a service request, one builder for the operators' list,
 * the alarm detail and the worker page. No health data: a service request is
 * an errand, and the worker page shows it without an audited health view.
 */

import type { ServiceCandidateView, ServiceRequestView } from "../../protocol/console/index.ts";
import { ACTIVE_SERVICE_STATUSES, type ServiceRequestStatus } from "../../protocol/console/index.ts";
import { AnxinError } from "../errors.ts";
import type { UserRow } from "../storage/user-repo.ts";
import { serviceRequestNotFound } from "./service-lifecycle.ts";
import type { ServiceRequestListRow, ServiceRequestRepository } from "./service-repo.ts";
import { orderServiceCandidates, type ServiceCandidate } from "./service-routing.ts";

export function serviceRequestView(row: ServiceRequestListRow): ServiceRequestView {
  return {
    id: row.id,
    alarmId: row.alarm_id,
    status: row.status,
    receivedAt: row.received_at,
    deviceId: row.device_id,
    household:
      row.household_id !== null && row.household_code !== null
        ? {
            id: row.household_id,
            code: row.household_code,
            address: row.address ?? "",
            lat: row.lat,
            lng: row.lng,
            keyHolder: row.key_holder,
            accessNotes: row.access_notes,
          }
        : null,
    grid: row.grid_id === null ? null : { id: row.grid_id, name: row.grid_name },
    residentName: row.resident_name,
    worker:
      row.worker_id !== null && row.worker_code !== null
        ? { id: row.worker_id, code: row.worker_code, name: row.worker_name ?? "", phone: row.worker_phone ?? "" }
        : null,
    createdAt: row.created_at,
    assignedAt: row.assigned_at,
    assignedBy: row.assigned_by,
    doneAt: row.done_at,
    doneBy: row.done_by,
    cancelledAt: row.cancelled_at,
    cancelledBy: row.cancelled_by,
    note: row.note,
  };
}

export function candidateView(candidate: ServiceCandidate): ServiceCandidateView {
  const { worker } = candidate;
  return {
    id: worker.id,
    code: worker.code,
    name: worker.name,
    onDuty: worker.on_duty === 1,
    sameGrid: candidate.sameGrid,
    distanceM: candidate.distanceM === null ? null : Math.round(candidate.distanceM),
  };
}

/** How many candidates an operator is shown when re-assigning. */
const CANDIDATE_LIMIT = 30;

/** The read side: the operators' list and card, the worker's list, the alarm detail. */
export class ServiceRequestViews {
  private readonly repo: ServiceRequestRepository;

  constructor(repo: ServiceRequestRepository) {
    this.repo = repo;
  }

  async view(requestId: number): Promise<ServiceRequestView> {
    return serviceRequestView(await this.row(requestId));
  }

  /** Newest first; no statuses means all. */
  async list(statuses: readonly ServiceRequestStatus[], limit: number): Promise<ServiceRequestView[]> {
    return (await this.repo.list({ statuses, limit })).map(serviceRequestView);
  }

  /** The alarm's service request, or null for alarms that have none. */
  async forAlarm(alarmId: number): Promise<ServiceRequestView | null> {
    const request = await this.repo.forAlarm(alarmId);
    return request ? this.view(request.id) : null;
  }

  /** A worker's own requests still to do. */
  async forWorker(user: UserRow): Promise<ServiceRequestView[]> {
    if (user.worker_id === null) throw new AnxinError("AUTH_FORBIDDEN", "this login is not a community worker's");
    const rows = await this.repo.list({ statuses: ACTIVE_SERVICE_STATUSES, workerId: user.worker_id, limit: 100 });
    return rows.map(serviceRequestView);
  }

  /** Workers an operator may pick, in the router's order: the household's grid first, on duty, nearest. */
  async candidates(requestId: number): Promise<ServiceCandidateView[]> {
    const row = await this.row(requestId);
    const point = row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng } : null;
    const workers = await this.repo.workers();
    return orderServiceCandidates(workers, row.grid_id, point).slice(0, CANDIDATE_LIMIT).map(candidateView);
  }

  private async row(requestId: number): Promise<ServiceRequestListRow> {
    const row = await this.repo.listRow(requestId);
    if (!row) throw serviceRequestNotFound(requestId);
    return row;
  }
}
