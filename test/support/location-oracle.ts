/**
 * What each part of a lead's data implies about where it may be, written here from the sources (49 CFR Part 71 for
 * the zones a state spans, USPS ZIP prefix assignments, NANPA area code maps), not read from lambdas/domain. The
 * location and calling-window property tests hold resolveLocation to it: never fewer zones than any part implies.
 */
import { ALL_US_ZONES } from '../../lambdas/domain/regions';

export const EVERY_US_ZONE: readonly string[] = [...ALL_US_ZONES];

export const AREA_CODE_ZONES: Readonly<Record<string, readonly string[]>> = {
  '212': ['America/New_York'], '305': ['America/New_York'], '850': ['America/New_York', 'America/Chicago'],
  '812': ['America/Indiana/Indianapolis', 'America/Chicago'], '907': ['America/Anchorage', 'America/Adak'],
  '915': ['America/Denver', 'America/Chicago'], '208': ['America/Boise', 'America/Los_Angeles'],
  '541': ['America/Los_Angeles', 'America/Boise'], '928': ['America/Phoenix', 'America/Denver'], '808': ['Pacific/Honolulu'],
  '787': ['America/Puerto_Rico'], '671': ['Pacific/Guam'], '512': ['America/Chicago'], '999': [],
};

export const AREA_CODE_STATE: Readonly<Record<string, string>> = {
  '212': 'NY', '305': 'FL', '850': 'FL', '812': 'IN', '907': 'AK', '915': 'TX', '208': 'ID', '541': 'OR', '928': 'AZ',
  '808': 'HI', '787': 'PR', '671': 'GU', '512': 'TX',
};

/** ZIP → the state or territory its prefix is assigned to (USPS), or null for none (military, unassigned, not a ZIP). */
export const ZIP_STATE: Readonly<Record<string, string | null>> = {
  '10001': 'NY', '32501': 'FL', '99546': 'AK', '99999': 'AK', '47708': 'IN', '97914': 'OR', '79901': 'TX',
  '96813': 'HI', '00601': 'PR', '85001': 'AZ', '96910': 'GU', '96950': 'MP', '96799': 'AS', '00802': 'VI',
  '96939': 'PW', '00000': null, '09001': null, nope: null,
};

export const STATE_ZONES: Readonly<Record<string, readonly string[]>> = {
  NY: ['America/New_York'], FL: ['America/New_York', 'America/Chicago'], AK: ['America/Anchorage', 'America/Adak'],
  IN: ['America/Indiana/Indianapolis', 'America/Chicago'], OR: ['America/Los_Angeles', 'America/Boise'],
  TX: ['America/Chicago', 'America/Denver'], HI: ['Pacific/Honolulu'], PR: ['America/Puerto_Rico'],
  AZ: ['America/Phoenix', 'America/Denver'], GU: ['Pacific/Guam'], MP: ['Pacific/Saipan'], AS: ['Pacific/Pago_Pago'],
  VI: ['America/St_Thomas'], PW: ['Pacific/Palau'], CA: ['America/Los_Angeles'], KY: ['America/New_York', 'America/Chicago'],
  ID: ['America/Boise', 'America/Los_Angeles'],
};

/** Declared states as a CRM sends them (codes, names, any case), including ones that are no state. */
export const DECLARED_STATES: readonly string[] = ['', 'ZZ', 'Texas', 'ny', 'FL', 'AK', 'GU', 'AS', 'KY', 'CA', 'Atlantis'];
const STATE_CODE: Readonly<Record<string, string>> = { Texas: 'TX', ny: 'NY' };
export const TZ_HINTS: readonly string[] = ['', 'America/Denver', 'Pacific/Guam', 'Bad/Zone', 'EST'];

export interface Hints {
  readonly npa: string;
  readonly zip: string;
  readonly state: string;
  readonly tz: string;
}

/** The code of a declared state, or null when it names no state this table knows. */
export function declaredState(state: string): string | null {
  const code = STATE_CODE[state] ?? state;
  return STATE_ZONES[code] ? code : null;
}

/** The zone sets each part implies; an unrecognized part implies every US zone. */
export function impliedZones({ npa, zip, state, tz }: Hints): string[][] {
  const implied: string[][] = [[...AREA_CODE_ZONES[npa]!]];
  if (tz) implied.push(tz.includes('/') && tz !== 'Bad/Zone' ? [tz] : [...EVERY_US_ZONE]);
  if (zip) implied.push(ZIP_STATE[zip] ? [...STATE_ZONES[ZIP_STATE[zip]!]!] : [...EVERY_US_ZONE]);
  if (state) {
    const code = declaredState(state);
    implied.push(code ? [...STATE_ZONES[code]!] : [...EVERY_US_ZONE]);
  }
  if (implied.every((zones) => zones.length === 0)) implied.push([...EVERY_US_ZONE]);
  return implied;
}
