/**
 * Distances between sites and places. The 200 km circle is judged on distances near its edge, so
 * they come from Karney's geodesics on the WGS84 ellipsoid (accurate to nanometres), not from a
 * sphere (haversine is off by up to 0.5 %, a kilometre at 200 km) or a flat projection.
 * Pure: no I/O.
 */
// The package is CommonJS behind a UMD wrapper: Node exposes it only as a default import.
import geodesic from "geographiclib-geodesic";

export interface LatLon {
  /** Degrees north, WGS84. */
  lat: number;
  /** Degrees east, WGS84. */
  lon: number;
}

const WGS84 = geodesic.Geodesic.WGS84;
// Ask for the distance only: azimuths and reduced lengths cost work nobody reads here.
const DISTANCE_ONLY = geodesic.Geodesic.DISTANCE;

/** Shortest distance over the WGS84 ellipsoid between two points, in kilometres. */
export function distanceKm(a: LatLon, b: LatLon): number {
  const { s12 } = WGS84.Inverse(a.lat, a.lon, b.lat, b.lon, DISTANCE_ONLY);
  // The typings mark s12 optional because an outmask may omit it; DISTANCE always sets it.
  if (s12 === undefined) throw new Error("geodesic inverse returned no distance");
  return s12 / 1000;
}
