/**
 * Leaflet 1.9 (node_modules/leaflet, served by the hub at /vendor/leaflet/ and loaded by the console
 * with `import("/vendor/leaflet/leaflet-src.esm.js")`) ships no types, and @types/leaflet is not
 * installed. Only what the console uses is declared (tsconfig.dashboard.json maps the import to this
 * file): the factories, and the methods of what they make, as Leaflet's documentation gives them.
 * The classes are declared as interfaces, since the console only makes things through the factories.
 *
 * One deliberate narrowing: a tooltip bound to a layer takes an element, not a string. Leaflet renders
 * a string as HTML, and the console's tooltips carry names and addresses typed by people
 * (dashboard/map.js `textTip`), so a string there is a script injection waiting to happen.
 */

export interface LatLng {
  lat: number;
  lng: number;
}
export type LatLngExpression = LatLng | { lat: number; lng: number } | [number, number];

export interface LatLngBounds {
  isValid(): boolean;
}
export type LatLngBoundsExpression = LatLngBounds | LatLngExpression[];

export interface Point {
  x: number;
  y: number;
  /** Euclidean distance to another point, in the same (pixel or projected) units. */
  distanceTo(other: PointExpression): number;
}
export type PointExpression = Point | [number, number];

export interface LeafletEvent {
  type: string;
}

interface Evented {
  /** `types`: one event name, or several separated by spaces. */
  on(types: string, fn: (event: LeafletEvent) => void): this;
}

interface Layer extends Evented {
  addTo(map: LeafletMap | LayerGroup): this;
  remove(): this;
  bindTooltip(content: HTMLElement, options?: TooltipOptions): this;
}

export interface LayerGroup extends Layer {
  clearLayers(): this;
  getLayers(): Layer[];
}

export interface FeatureGroup extends LayerGroup {
  getBounds(): LatLngBounds;
}

export interface GeoJSON extends FeatureGroup {}

export interface PathOptions {
  className?: string;
  color?: string;
  weight?: number;
  opacity?: number;
  fillColor?: string;
  fillOpacity?: number;
  dashArray?: string;
  interactive?: boolean;
  pane?: string;
}

export interface CircleMarkerOptions extends PathOptions {
  radius?: number;
}

export interface CircleMarker extends Layer {}

export interface Polyline extends Layer {
  getCenter(): LatLng;
  /** A polyline made from one list of points (the only kind the console draws) gives that list back. */
  getLatLngs(): LatLng[];
}

export interface GeoJSONOptions {
  style?: PathOptions;
  pane?: string;
  interactive?: boolean;
}

export interface DivIconOptions {
  className?: string;
  /** A string is set as HTML: only markup of the console's own, never a name. */
  html?: string | HTMLElement | false;
  /** null: sized by CSS. */
  iconSize?: PointExpression | null;
}
export interface DivIcon {
  readonly options: DivIconOptions;
}

export interface MarkerOptions {
  icon?: DivIcon;
  keyboard?: boolean;
  zIndexOffset?: number;
  pane?: string;
  interactive?: boolean;
}
export interface Marker extends Layer {
  setLatLng(latLng: LatLngExpression): this;
}

export interface TooltipOptions {
  permanent?: boolean;
  sticky?: boolean;
  direction?: "right" | "left" | "top" | "bottom" | "center" | "auto";
  className?: string;
  interactive?: boolean;
}
export interface Tooltip extends Layer {
  setLatLng(latLng: LatLngExpression): this;
  /** A string is set as HTML: only text of the console's own. */
  setContent(content: string | HTMLElement): this;
}

export interface TileLayerOptions {
  maxZoom?: number;
  crossOrigin?: boolean | string;
}
export interface TileLayer extends Layer {}

export interface MapOptions {
  preferCanvas?: boolean;
  zoomSnap?: number;
  attributionControl?: boolean;
  fadeAnimation?: boolean;
  zoomControl?: boolean;
}

export interface FitBoundsOptions {
  padding?: PointExpression;
  /** Padding at the top left only (e.g. clear of the zoom control), in pixels. */
  paddingTopLeft?: PointExpression;
  paddingBottomRight?: PointExpression;
  maxZoom?: number;
  animate?: boolean;
}

export interface LeafletMap extends Evented {
  setView(center: LatLngExpression, zoom?: number): this;
  fitBounds(bounds: LatLngBoundsExpression, options?: FitBoundsOptions): this;
  invalidateSize(options?: boolean | { pan?: boolean; animate?: boolean }): this;
  getZoom(): number;
  createPane(name: string, container?: HTMLElement): HTMLElement;
  latLngToContainerPoint(latLng: LatLngExpression): Point;
}

export interface ZoomControl {
  addTo(map: LeafletMap): this;
  getContainer(): HTMLElement | undefined;
}

export interface Projection {
  project(latLng: LatLngExpression): Point;
  unproject(point: PointExpression): LatLng;
}

export declare function map(element: string | HTMLElement, options?: MapOptions): LeafletMap;
export declare const control: {
  zoom(options?: { zoomInTitle?: string; zoomOutTitle?: string; position?: string }): ZoomControl;
};
export declare function layerGroup(layers?: Layer[]): LayerGroup;
export declare function featureGroup(layers?: Layer[]): FeatureGroup;
export declare function tileLayer(urlTemplate: string, options?: TileLayerOptions): TileLayer;
/** Any GeoJSON object: a geometry, a feature or a collection of them. */
export declare function geoJSON(geojson: { readonly type: string }, options?: GeoJSONOptions): GeoJSON;
export declare function divIcon(options?: DivIconOptions): DivIcon;
export declare function marker(latLng: LatLngExpression, options?: MarkerOptions): Marker;
export declare function circleMarker(latLng: LatLngExpression, options?: CircleMarkerOptions): CircleMarker;
export declare function polyline(latLngs: LatLngExpression[], options?: PathOptions): Polyline;
export declare function tooltip(options?: TooltipOptions): Tooltip;
export declare function latLng(lat: number, lng: number): LatLng;
export declare function latLngBounds(latLngs: LatLngExpression[]): LatLngBounds;
export declare function point(x: number, y: number): Point;
export declare const CRS: { readonly EPSG3857: Projection };
