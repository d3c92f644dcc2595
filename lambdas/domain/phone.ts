import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A phone number in E.164 form (`+12125550123`): the identity of a lead everywhere in redial. */
export type E164 = string & { readonly __brand: 'E164' };

/** NANP countries whose numbers redial may call: the US, its territories in the NANP, and Canada. */
export const CALLABLE_COUNTRIES: ReadonlySet<string> = new Set(['US', 'CA', 'PR', 'VI', 'GU', 'MP', 'AS']);

export type PhoneParse =
  | { readonly ok: true; readonly phone: E164; readonly areaCode: string; readonly country: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Normalizes a US or Canadian number written any common way (`(212) 555-0123`, `1-212-555-0123`, `+12125550123`)
 * to E.164. Anything that is not a valid number of a callable NANP country is refused with a reason a person can act on.
 */
export function normalizePhone(input: string): PhoneParse {
  const raw = input.trim();
  if (raw === '') return { ok: false, reason: 'phone is empty' };
  if (raw.length > 40) return { ok: false, reason: 'phone is longer than 40 characters' };
  if (/[a-z]/i.test(raw.replace(/\s*(ext\.?|x)\s*\d+$/i, ''))) {
    return { ok: false, reason: `phone "${raw}" contains letters` };
  }
  const parsed = parsePhoneNumberFromString(raw, 'US');
  if (!parsed) return { ok: false, reason: `phone "${raw}" is not a phone number` };
  if (parsed.countryCallingCode !== '1') {
    return { ok: false, reason: `phone "${raw}" is not a North American (+1) number` };
  }
  const national = parsed.nationalNumber;
  if (national.length !== 10) return { ok: false, reason: `phone "${raw}" must have 10 digits after the country code` };
  if (!parsed.isValid()) {
    return { ok: false, reason: `phone "${raw}" is not a valid NANP number (area code ${national.slice(0, 3)} or exchange ${national.slice(3, 6)} is not in service)` };
  }
  const country = parsed.country;
  if (!country || !CALLABLE_COUNTRIES.has(country)) {
    return { ok: false, reason: `phone "${raw}" belongs to ${country ?? 'an unknown NANP country'}, not the US or Canada` };
  }
  return { ok: true, phone: parsed.number as E164, areaCode: national.slice(0, 3), country };
}

/** `+12125550123` → `+1******0123`: the only form in which a number may appear in logs. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 4) return '****';
  return `+${digits.slice(0, digits.length - 10 > 0 ? digits.length - 10 : 1)}******${digits.slice(-4)}`;
}
