/** An independent haversine, so tests check the spatial index against arithmetic rather than against itself. */
export function haversineMetres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

export function bruteForceNearest<T extends { lat: number | null; lng: number | null }>(
  from: { lat: number; lng: number },
  candidates: readonly T[],
): { item: T; distanceM: number } | null {
  let best: { item: T; distanceM: number } | null = null;
  for (const item of candidates) {
    if (item.lat === null || item.lng === null) continue;
    const distanceM = haversineMetres(from, { lat: item.lat, lng: item.lng });
    if (!best || distanceM < best.distanceM) best = { item, distanceM };
  }
  return best;
}
