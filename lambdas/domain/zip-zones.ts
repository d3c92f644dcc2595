import { ZIP_ZONE_NAMES, ZIP_ZONE_RUNS } from './data/zip-zones.generated';

/**
 * ZIP → IANA zone, from the compact runs of data/zip-zones.generated.ts (zipcode-to-timezone's data; see the
 * generator). Decoded once into two arrays, then a binary search per lookup.
 */
let runStarts: Int32Array | null = null;
let runZones: Int8Array = new Int8Array(0);

function decode(): Int32Array {
  const starts: number[] = [];
  const zones: number[] = [];
  let at = 0;
  for (const [, length, zone] of ZIP_ZONE_RUNS.matchAll(/([0-9a-z]+)([A-Z_])/g)) {
    starts.push(at);
    zones.push(zone === '_' ? -1 : zone!.charCodeAt(0) - 65);
    at += parseInt(length!, 36);
  }
  if (at !== 100_000) throw new Error(`zip-zones data covers ${at} codes, not 100,000: regenerate it`);
  runZones = Int8Array.from(zones);
  return Int32Array.from(starts);
}

/** The zone of a five-digit ZIP code (`"32501"`), or null when the data has none. */
export function zoneOfFiveDigitZip(zip: string): string | null {
  if (!/^\d{5}$/.test(zip)) return null;
  runStarts ??= decode();
  const code = Number(zip);
  let lo = 0;
  let hi = runStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (runStarts[mid]! <= code) lo = mid;
    else hi = mid - 1;
  }
  const zone = runZones[lo]!;
  return zone < 0 ? null : ZIP_ZONE_NAMES[zone]!;
}
