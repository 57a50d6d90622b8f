/**
 * Version 7: service requests (issue 4). The non-emergency `service` press is
 * one row here beside its alarm: routed to the household's grid worker, with
 * its own lifecycle (open → assigned → done, or cancelled; see
 * hub/service/service-lifecycle.ts). `grid_id` is the grid when the request was
 * made, kept as history rather than a foreign key, so a grid can be redrawn.
 * A request that is assigned or done always names its worker (CHECK).
 * Service alarms still waiting for an operator when this runs become open
 * requests, so none is stranded between the old suggestion and the new routing.
 * Released: never edit, add a migration instead.
 */
export const SERVICE_REQUESTS_SQL = `
CREATE TABLE service_requests (
  id INTEGER PRIMARY KEY,
  alarm_id INTEGER NOT NULL UNIQUE REFERENCES alarms(id),
  household_id INTEGER REFERENCES households(id),
  grid_id INTEGER,
  worker_id INTEGER REFERENCES workers(id),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'assigned', 'done', 'cancelled')),
  created_at TEXT NOT NULL,
  assigned_at TEXT,
  assigned_by TEXT, -- 'system' (routing) or 'user:<username>'
  done_at TEXT,
  done_by TEXT,
  cancelled_at TEXT,
  cancelled_by TEXT,
  note TEXT,
  CHECK (status IN ('open', 'cancelled') OR worker_id IS NOT NULL)
);
CREATE INDEX service_requests_worker ON service_requests(worker_id, status);
CREATE INDEX service_requests_status ON service_requests(status, id);

INSERT INTO service_requests (alarm_id, household_id, grid_id, status, created_at)
  SELECT a.id, a.household_id, h.grid_id, 'open', a.received_at
    FROM alarms a LEFT JOIN households h ON h.id = a.household_id
   WHERE a.kind = 'service' AND a.status IN ('received', 'acknowledged');
`;
