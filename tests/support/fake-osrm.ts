/**
 * A local stand-in for OSRM's table service (`GET /table/v1/{profile}/{coordinates}`,
 * http://project-osrm.org/docs/v5.24.0/api/#table-service). It checks the
 * request the way OSRM does (coordinates, `sources`, `destinations`,
 * `annotations`) and answers with OSRM's response shape: `code`, `durations`
 * and `distances` as sources × destinations matrices (null where no route),
 * and the snapped `sources`/`destinations` waypoints.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Point {
  lat: number;
  lng: number;
}

/** Seconds and metres from `from` to `to`, or null for "no route". */
export type TravelModel = (from: Point, to: Point) => { durationS: number; distanceM: number } | null;

export interface FakeOsrm {
  url: string;
  requests: { profile: string; sources: Point[]; destinations: Point[]; annotations: string[] }[];
  travel: TravelModel;
  /** The next `count` requests answer with this HTTP status and OSRM error body. */
  failNext(status: number, count?: number): void;
  /** Delays every answer (to provoke the client's timeout). */
  delayMs: number;
  close(): Promise<void>;
}

const PATH = /^\/table\/v1\/([a-z][a-z0-9_-]*)\/([^/?]+)$/;

export async function startFakeOsrm(travel: TravelModel): Promise<FakeOsrm> {
  const failures: number[] = [];
  const fake: FakeOsrm = {
    url: "",
    requests: [],
    travel,
    delayMs: 0,
    failNext(status, count = 1) {
      for (let i = 0; i < count; i += 1) failures.push(status);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
        res.end(JSON.stringify(body));
      }, fake.delayMs);
    };
    const url = new URL(req.url ?? "/", "http://osrm");
    const match = PATH.exec(url.pathname);
    if (req.method !== "GET" || !match) return reply(400, { code: "InvalidUrl", message: `URL string malformed` });
    const coordinates = (match[2] ?? "").split(";").map((pair) => {
      const [lng, lat] = pair.split(",").map(Number);
      return { lat: lat ?? Number.NaN, lng: lng ?? Number.NaN };
    });
    if (coordinates.some((c) => !(Math.abs(c.lat) <= 90 && Math.abs(c.lng) <= 180))) {
      return reply(400, { code: "InvalidQuery", message: "Query string malformed close to position 0" });
    }
    const indexes = (name: string) => {
      const text = url.searchParams.get(name);
      if (text === null || text === "all") return coordinates.map((_, i) => i);
      return text.split(";").map(Number);
    };
    const sourceIdx = indexes("sources");
    const destIdx = indexes("destinations");
    if ([...sourceIdx, ...destIdx].some((i) => !Number.isInteger(i) || i < 0 || i >= coordinates.length)) {
      return reply(400, { code: "InvalidOptions", message: "Index in sources or destinations out of range" });
    }
    const annotations = (url.searchParams.get("annotations") ?? "duration").split(",");
    const at = (i: number) => coordinates[i] as Point;
    fake.requests.push({
      profile: match[1] ?? "",
      sources: sourceIdx.map(at),
      destinations: destIdx.map(at),
      annotations,
    });
    const failure = failures.shift();
    if (failure !== undefined) return reply(failure, { code: "NoTable", message: "injected by failNext" });
    const cells = sourceIdx.map((s) => destIdx.map((d) => fake.travel(at(s), at(d))));
    const waypoint = (i: number) => ({ location: [at(i).lng, at(i).lat], name: "", distance: 0, hint: "" });
    return reply(200, {
      code: "Ok",
      ...(annotations.includes("duration")
        ? { durations: cells.map((row) => row.map((c) => c?.durationS ?? null)) }
        : {}),
      ...(annotations.includes("distance")
        ? { distances: cells.map((row) => row.map((c) => c?.distanceM ?? null)) }
        : {}),
      sources: sourceIdx.map(waypoint),
      destinations: destIdx.map(waypoint),
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
