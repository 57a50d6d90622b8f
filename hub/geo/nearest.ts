/**
 * Nearest-responder queries over a static spatial index (kdbush + geokdbush,
 * great-circle distance). The index is rebuilt when the registry changes, which
 * is rare next to how often an alarm asks "who is closest?".
 */

import { around, distance } from "geokdbush";
import KDBush from "kdbush";

export interface GeoPoint {
  lat: number;
  lng: number;
}

export interface Placed<T> extends GeoPoint {
  item: T;
}

export interface NearestResult<T> {
  item: T;
  /** Great-circle distance in metres. */
  distanceM: number;
}

export class NearestIndex<T> {
  private readonly entries: readonly Placed<T>[];
  private readonly index: KDBush | null;

  constructor(entries: readonly Placed<T>[]) {
    this.entries = entries;
    this.index = entries.length > 0 ? buildIndex(entries) : null;
  }

  get size(): number {
    return this.entries.length;
  }

  /** The `count` nearest entries that pass `accept`, nearest first. */
  nearest(point: GeoPoint, count: number, accept: (item: T) => boolean = () => true): NearestResult<T>[] {
    if (!this.index) return [];
    const ids = around(this.index, point.lng, point.lat, count, Number.POSITIVE_INFINITY, (i: number) =>
      accept(this.entry(i).item),
    );
    return ids.map((i: number) => {
      const entry = this.entry(i);
      return { item: entry.item, distanceM: greatCircleMetres(point, entry) };
    });
  }

  private entry(i: number): Placed<T> {
    const entry = this.entries[i];
    if (!entry) throw new RangeError(`spatial index returned unknown entry ${i}`);
    return entry;
  }
}

function buildIndex<T>(entries: readonly Placed<T>[]): KDBush {
  const index = new KDBush(entries.length);
  for (const entry of entries) index.add(entry.lng, entry.lat);
  index.finish();
  return index;
}

/** Great-circle distance in metres, as geokdbush measures it. */
export function greatCircleMetres(a: GeoPoint, b: GeoPoint): number {
  return distance(a.lng, a.lat, b.lng, b.lat) * 1000;
}
