import { createHash } from 'node:crypto';
import { z } from 'zod';
import { normalizePhone } from '../domain/phone';
import { joinLocations, resolveLocation } from '../domain/location';
import type { CrmWriteMessage } from '../ports/crm-outbox';
import { InvalidRequestError } from './check-window';
import { retryOnVersionConflict, sendCrmWrite, type LoopDeps } from './loop-deps';

/**
 * Mid-call CRM updates (docs/operations.md): the Bland pathway calls `POST /tools/lead-data` as a tool while the
 * customer is on the line, with what they said (zip, plan type, member count, age...). The fields go on the lead at
 * once and to Convoso (`leads/update`) through the outbox, so the answer is quick and a Convoso outage loses nothing.
 */

/** A value Bland left unresolved (`{{zip}}`) or empty counts as not given. */
const given = (v: unknown) => !(v === undefined || v === null || (typeof v === 'string' && (v.trim() === '' || /^\{\{.*\}\}$/.test(v.trim()))));
const numberish = (min: number, max: number) => z.union([z.number(), z.string().trim().regex(/^\d+$/, 'must be a whole number')])
  .transform((v) => Number(v)).pipe(z.number().int().min(min).max(max)).transform(String);

/** The fields the tool may set, validated; other collected fields (config) are accepted as short text. */
const KNOWN = {
  zip: z.string().trim().regex(/^\d{5}$/, 'must be 5 digits'),
  plan_type: z.string().trim().min(1).max(60),
  member_count: numberish(1, 20),
  age: numberish(0, 120),
} as const;

/** The number has no lead here (404 rather than 400: the request itself was well formed). */
export class UnknownLeadError extends InvalidRequestError {}

export interface LeadDataResult {
  readonly phone: string;
  readonly updated: readonly string[];
  readonly ignored: readonly string[];
  readonly crm: 'queued' | 'parked' | 'off';
}

export function makeRecordLeadData(deps: LoopDeps) {
  return async function recordLeadData(body: Record<string, unknown>): Promise<LeadDataResult> {
    if (typeof body['phone'] !== 'string') throw new InvalidRequestError('phone', 'required (the {{phone_number}} of the call)');
    const phone = normalizePhone(body['phone']);
    if (!phone.ok) throw new InvalidRequestError('phone', phone.reason);
    const callId = typeof body['call_id'] === 'string' && body['call_id'].length <= 100 ? body['call_id'] : null;
    const allowed = new Set([...Object.keys(KNOWN), ...deps.config.crm.writeBack.collectedFields]);
    const fields: Record<string, string> = {};
    const ignored: string[] = [];
    for (const [name, raw] of Object.entries(body)) {
      if (name === 'phone' || name === 'call_id') continue;
      if (!allowed.has(name)) {
        ignored.push(name);
        continue;
      }
      if (!given(raw)) continue;
      const schema = KNOWN[name as keyof typeof KNOWN] ?? z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1).max(200));
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new InvalidRequestError(name, parsed.error.issues[0]!.message);
      fields[name] = parsed.data;
    }
    if (Object.keys(fields).length === 0) throw new InvalidRequestError('fields', `none given; send at least one of ${[...allowed].join(', ')}`);

    const crmLeadId = await retryOnVersionConflict(async () => {
      const lead = await deps.store.get(phone.phone);
      if (!lead) throw new UnknownLeadError('phone', `no lead ${phone.phone}`);
      // A ZIP the customer gives is one more hint of where they are: its zone and state join the lead's (the calling
      // window then honors every place the lead may be; none is ever dropped).
      const place = fields['zip'] ? resolveLocation(phone.areaCode, { state: lead.state, zip: fields['zip'], tz: lead.tz }) : null;
      await deps.store.update({
        ...lead,
        fields: { ...lead.fields, ...fields },
        ...(fields['zip'] && !lead.zip ? { zip: fields['zip'] } : {}),
        ...(place ? { ...joinLocations(lead, place), locationWarnings: [...new Set([...(lead.locationWarnings ?? []), ...place.warnings])] } : {}),
        updatedAt: deps.clock.now(),
      });
      return lead.crmLeadId ?? null;
    });

    if (!deps.crmOutbox || !deps.config.crm.writeBack.enabled) return { phone: phone.phone, updated: Object.keys(fields), ignored, crm: 'off' };
    // One write per distinct tool call: a retried tool call (same call, same values) is the same write.
    const key = createHash('sha256').update(JSON.stringify([phone.phone, callId, Object.entries(fields).sort()])).digest('hex').slice(0, 16);
    const write: CrmWriteMessage = { v: 1, kind: 'crm-write', callId: `tool-${callId ?? 'none'}-${key}`, phone: phone.phone, crmLeadId, status: null, outcome: 'TOOL', fields, dnc: false };
    return { phone: phone.phone, updated: Object.keys(fields), ignored, crm: await sendCrmWrite({ ...deps, crmOutbox: deps.crmOutbox }, write, deps.clock.now()) };
  };
}
