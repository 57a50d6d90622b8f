import { describe, expect, it } from "vitest";
import { GridLocator, HouseholdLocator, normaliseAddress } from "../hub/geo/household-locator.ts";

const square = (minLng: number, minLat: number, size: number) => ({
  type: "Polygon" as const,
  coordinates: [
    [
      [minLng, minLat],
      [minLng + size, minLat],
      [minLng + size, minLat + size],
      [minLng, minLat + size],
      [minLng, minLat],
    ],
  ],
});
// An L-shaped grid: its bounding box covers a corner the grid does not.
const lShape = {
  type: "Polygon" as const,
  coordinates: [
    [
      [0, 0],
      [2, 0],
      [2, 1],
      [1, 1],
      [1, 2],
      [0, 2],
      [0, 0],
    ],
  ],
};

describe("household locator", () => {
  const grids = [
    { id: 1, code: "G1", name: "L", polygon: lShape },
    { id: 2, code: "G2", name: "East", polygon: square(10, 10, 1) },
  ];
  const gazetteer = new Map([[normaliseAddress("垦利区胜兴路12号"), { lat: 10.5, lng: 10.5 }]]);
  const locator = new HouseholdLocator(grids, (a) => gazetteer.get(a));

  it("normalises full-width characters and spacing to one spelling", () => {
    expect(normaliseAddress("  垦利区 胜兴路 １２号 ")).toBe("垦利区胜兴路12号");
    expect(normaliseAddress("12  Main   St")).toBe("12 Main St");
  });

  it("uses given coordinates and finds the grid by point in polygon, not by bounding box", () => {
    expect(locator.locate({ address: "x", lat: 0.5, lng: 1.5 })).toMatchObject({
      ok: true,
      source: "given",
      grid: { code: "G1" },
    });
    // (1.5, 1.5) is inside the L's bounding box but outside the L itself.
    expect(locator.locate({ address: "x", lat: 1.5, lng: 1.5 })).toMatchObject({
      ok: false,
      code: "OUTSIDE_ALL_GRIDS",
    });
    expect(new GridLocator(grids).gridAt(10.2, 10.9)?.code).toBe("G2");
  });

  it("resolves an address without coordinates through the gazetteer, whatever its spelling", () => {
    expect(locator.locate({ address: "垦利区 胜兴路 １２号" })).toEqual({
      ok: true,
      lat: 10.5,
      lng: 10.5,
      source: "gazetteer",
      grid: grids[1],
    });
    expect(locator.locate({ address: "垦利区无名路1号" })).toMatchObject({
      ok: false,
      code: "ADDRESS_NOT_IN_GAZETTEER",
    });
  });

  it("refuses half or impossible coordinates", () => {
    expect(locator.locate({ address: "x", lat: 10.5 })).toMatchObject({ ok: false, code: "COORDINATES_INVALID" });
    expect(locator.locate({ address: "x", lat: 91, lng: 10 })).toMatchObject({
      ok: false,
      code: "COORDINATES_INVALID",
    });
  });
});
