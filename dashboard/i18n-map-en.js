// English strings for: Map (Leaflet) on the alarm detail and the map page.
export const mapEn = {};
