/**
 * The demo district's road centre lines: the ten streets its addresses name,
 * laid out as a county seat's are: five running east–west and five north–south
 * (黄河路 and 垦利街 along the grids' shared edges, as roads often bound grids),
 * with 利河路 following the river on the east side. Drawn by the console map
 * when it has no tiles, so `npm start` shows more than a blank background. The
 * lines are fixed, not drawn from the seed's random numbers, so the rest of the
 * district's layout stays as it was. A real district imports its own
 * (`npm run registry -- import roads`, docs/registry-import.md).
 */
import type { LineString } from "geojson";
import type { SqlSession } from "../storage/sql/sql-port.ts";

interface DemoRoad {
  code: string;
  name: string;
  /** [lng, lat], a little past the grids' edges as real roads run on. */
  line: [number, number][];
}

export const DEMO_ROADS: readonly DemoRoad[] = [
  {
    code: "KL-R01",
    name: "育才路",
    line: [
      [118.497, 37.6128],
      [118.53, 37.6132],
      [118.565, 37.6126],
      [118.603, 37.6131],
    ],
  },
  {
    code: "KL-R02",
    name: "民丰路",
    line: [
      [118.497, 37.6021],
      [118.525, 37.6018],
      [118.56, 37.6024],
      [118.603, 37.6019],
    ],
  },
  {
    code: "KL-R03",
    name: "黄河路",
    line: [
      [118.495, 37.59],
      [118.55, 37.59],
      [118.605, 37.59],
    ],
  },
  {
    code: "KL-R04",
    name: "胜兴路",
    line: [
      [118.497, 37.5772],
      [118.522, 37.5768],
      [118.548, 37.5761],
      [118.575, 37.5764],
      [118.603, 37.5758],
    ],
  },
  {
    code: "KL-R05",
    name: "永安路",
    line: [
      [118.497, 37.5663],
      [118.53, 37.5667],
      [118.57, 37.5661],
      [118.588, 37.5664],
    ],
  },
  {
    code: "KL-R06",
    name: "西城路",
    line: [
      [118.5132, 37.557],
      [118.5128, 37.59],
      [118.5135, 37.623],
    ],
  },
  {
    code: "KL-R07",
    name: "振兴路",
    line: [
      [118.5318, 37.557],
      [118.5324, 37.575],
      [118.5317, 37.605],
      [118.5321, 37.623],
    ],
  },
  {
    code: "KL-R08",
    name: "垦利街",
    line: [
      [118.55, 37.555],
      [118.55, 37.625],
    ],
  },
  {
    code: "KL-R09",
    name: "新兴路",
    line: [
      [118.5712, 37.557],
      [118.5706, 37.59],
      [118.5714, 37.623],
    ],
  },
  {
    code: "KL-R10",
    name: "利河路",
    line: [
      [118.583, 37.557],
      [118.5862, 37.571],
      [118.5921, 37.584],
      [118.5897, 37.597],
      [118.5958, 37.609],
      [118.5992, 37.623],
    ],
  },
];

/** Inside the demo district's transaction. */
export async function seedDemoRoads(sql: SqlSession, now: string): Promise<void> {
  for (const road of DEMO_ROADS) {
    const geometry: LineString = { type: "LineString", coordinates: road.line };
    await sql.run("INSERT INTO roads (code, name, geometry, points, updated_at) VALUES (?, ?, ?, ?, ?)", [
      road.code,
      road.name,
      JSON.stringify(geometry),
      road.line.length,
      now,
    ]);
  }
}
