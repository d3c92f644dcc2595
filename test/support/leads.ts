import { normalizePhone } from '../../lambdas/domain/phone';
import { resolveLocation, type LocationHints } from '../../lambdas/domain/location';
import type { WindowSubject } from '../../lambdas/domain/calling-window';
import type { PolicyLead } from '../../lambdas/domain/redial-policy';

/** A window subject for a phone number and location hints, resolved the way production resolves it. */
export function subjectFor(phone: string, hints: LocationHints = {}, callTimes: readonly number[] = []): WindowSubject & { primaryZone: string } {
  const parsed = normalizePhone(phone);
  if (!parsed.ok) throw new Error(parsed.reason);
  const location = resolveLocation(parsed.areaCode, hints);
  return { zones: location.zones, regions: location.regions, callTimes, primaryZone: location.primaryZone };
}

export function policyLead(subject: WindowSubject & { primaryZone: string }, createdAt: number, totalCalls = subject.callTimes.length): PolicyLead {
  return { primaryZone: subject.primaryZone, window: subject, createdAt, totalCalls };
}

/** Epoch ms of an ISO instant with offset (test input only). */
export const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant ${iso}`);
  return ms;
};

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));
