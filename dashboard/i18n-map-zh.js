// 简体中文: Map (Leaflet) on the alarm detail and the map page.
export const mapZh = {};
