import { z } from 'zod';
import type { LeadIntake } from '../app/accept-lead';

/**
 * The lead Zapier posts (JSON or form-encoded; Convoso field names). Unknown string fields are kept and passed to
 * the voice agent as request_data. Every bad field is reported by name.
 */
const text = (max: number) => z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().max(max, `must be at most ${max} characters`));
const optionalText = (max: number) => text(max).optional().transform((v) => (v === '' ? undefined : v));

export const intakeSchema = z.object({
  phone: text(40).pipe(z.string().min(1, 'is required')),
  first_name: optionalText(100),
  last_name: optionalText(100),
  email: optionalText(200).pipe(z.string().email('must be an email address').optional()),
  state: optionalText(40),
  zip: optionalText(10).pipe(z.string().regex(/^\d{5}(-?\d{4})?$/, 'must be a 5-digit ZIP (or ZIP+4)').optional()),
  time_zone: optionalText(60),
  status: optionalText(40),
  lead_id: optionalText(40),
  list_id: optionalText(40),
  source: optionalText(40),
}).catchall(z.union([z.string().max(1000, 'must be at most 1000 characters'), z.number(), z.boolean(), z.null()]));

/** Aliases Zapier users send. */
const ALIASES: Record<string, string> = { phone_number: 'phone', phoneNumber: 'phone', firstName: 'first_name', lastName: 'last_name', postal_code: 'zip', tz: 'time_zone', timezone: 'time_zone' };
const KNOWN = new Set(['phone', 'first_name', 'last_name', 'email', 'state', 'zip', 'time_zone', 'status', 'lead_id', 'list_id', 'source']);

export type IntakeParse = { ok: true; intake: LeadIntake } | { ok: false; issues: { field: string; message: string }[] };

export function parseIntake(raw: Record<string, unknown>): IntakeParse {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) input[ALIASES[key] ?? key] = value;
  if (Object.keys(input).length > 100) return { ok: false, issues: [{ field: '(body)', message: 'has more than 100 fields' }] };
  const result = intakeSchema.safeParse(input);
  if (!result.success) {
    return { ok: false, issues: result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })) };
  }
  const d = result.data;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(d)) if (!KNOWN.has(key) && value !== null && value !== undefined) fields[key] = String(value);
  return {
    ok: true,
    intake: {
      phone: d.phone, firstName: d.first_name, lastName: d.last_name, email: d.email, state: d.state, zip: d.zip,
      tz: d.time_zone, status: d.status, crmLeadId: d.lead_id, crmListId: d.list_id, source: d.source ?? 'zapier', fields,
    },
  };
}
