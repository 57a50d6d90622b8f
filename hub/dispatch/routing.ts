/**
 * Travel times from OSRM's table service
 * (http://project-osrm.org/docs/v5.24.0/api/#table-service): one request with
 * the household as the single destination and the candidate workers as sources,
 * asking for durations and distances. Any failure — network, timeout, a non-Ok
 * code, a malformed body — is one coded ROUTING_FAILED error; the caller falls
 * back to great-circle distance, because a router outage must never stop a dispatch.
 */
import { AnxinError, describeError } from "../errors.ts";
import type { GeoPoint } from "../geo/nearest.ts";
import type { RoutingSettings } from "./types.ts";

export interface TravelEstimate {
  /** Seconds; null when OSRM found no route. */
  durationS: number | null;
  /** Metres by road; null when OSRM found no route or did not report distances. */
  distanceM: number | null;
}

interface OsrmTableResponse {
  code?: unknown;
  message?: unknown;
  durations?: unknown;
  distances?: unknown;
}

export class OsrmTableClient {
  private readonly settings: RoutingSettings;

  constructor(settings: RoutingSettings) {
    this.settings = settings;
  }

  /** Travel from each source to the destination, in the order of `sources`. */
  async toDestination(sources: readonly GeoPoint[], destination: GeoPoint): Promise<TravelEstimate[]> {
    if (sources.length === 0) return [];
    const coordinates = [destination, ...sources].map((p) => `${p.lng.toFixed(6)},${p.lat.toFixed(6)}`).join(";");
    const sourceIndexes = sources.map((_, i) => i + 1).join(";");
    const base = this.settings.url.replace(/\/+$/, "");
    const url = `${base}/table/v1/${this.settings.profile}/${coordinates}?sources=${sourceIndexes}&destinations=0&annotations=duration,distance`;
    let body: OsrmTableResponse;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.settings.timeoutMs) });
      body = (await response.json()) as OsrmTableResponse;
      if (!response.ok || body.code !== "Ok") {
        const message = typeof body.message === "string" ? `: ${body.message}` : "";
        throw new Error(`OSRM answered HTTP ${response.status} ${String(body.code)}${message}`);
      }
    } catch (error) {
      throw new AnxinError("ROUTING_FAILED", `OSRM table request failed: ${describeError(error)}`, { url });
    }
    const durations = column(body.durations, sources.length);
    const distances = body.distances === undefined ? null : column(body.distances, sources.length);
    if (!durations || (body.distances !== undefined && !distances)) {
      throw new AnxinError("ROUTING_FAILED", "OSRM table response does not match the request", { url });
    }
    return durations.map((durationS, i) => ({
      durationS,
      distanceM: durationS === null ? null : (distances?.[i] ?? null),
    }));
  }
}

/** An n×1 matrix of numbers or nulls, as its single column; null when it is anything else. */
function column(matrix: unknown, rows: number): (number | null)[] | null {
  if (!Array.isArray(matrix) || matrix.length !== rows) return null;
  const values: (number | null)[] = [];
  for (const row of matrix) {
    if (!Array.isArray(row) || row.length !== 1) return null;
    const value: unknown = row[0];
    if (value === null) values.push(null);
    else if (typeof value === "number" && Number.isFinite(value) && value >= 0) values.push(value);
    else return null;
  }
  return values;
}
