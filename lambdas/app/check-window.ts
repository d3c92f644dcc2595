import { DateTime } from 'luxon';
import type { CallingWindowConfig } from '../config/config';
import { CallingWindow } from '../domain/calling-window';
import { resolveLocation, type LocationHints } from '../domain/location';
import { normalizePhone } from '../domain/phone';

/** "Why was this lead not called?": the operator's window check, shared by the CLI and (later) the admin API. */

export interface WindowCheckRequest extends LocationHints {
  readonly phone: string;
  /** Instants (epoch ms) of calls already placed to the number. */
  readonly callTimes?: readonly number[];
  /** The instant to check (epoch ms). */
  readonly at: number;
}

export interface WindowCheckAnswer {
  readonly allowed: boolean;
  readonly nextAllowedAt: string | null;
  readonly zones: readonly string[];
  readonly reasons: readonly string[];
  readonly phone: string;
  readonly regions: readonly string[];
  readonly sources: readonly string[];
  /** Hints located only roughly (a ZIP known by its prefix alone). */
  readonly warnings: readonly string[];
}

export class InvalidRequestError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'InvalidRequestError';
  }
}

export function makeCheckWindow(deps: { window: CallingWindowConfig }) {
  const window = new CallingWindow(deps.window);
  return function checkWindow(request: WindowCheckRequest): WindowCheckAnswer {
    const phone = normalizePhone(request.phone);
    if (!phone.ok) throw new InvalidRequestError('phone', phone.reason);
    const location = resolveLocation(phone.areaCode, request);
    // An operator's question must be exact: a hint the rules cannot read is refused, never answered as "anywhere".
    const [unrecognized] = location.unrecognized;
    if (unrecognized) throw new InvalidRequestError(unrecognized.hint, unrecognized.reason);
    const subject = { zones: location.zones, regions: location.regions, callTimes: request.callTimes ?? [] };
    const decision = window.isAllowed(subject, request.at);
    const next = window.nextAllowedAt(subject, request.at);
    return {
      allowed: decision.allowed,
      nextAllowedAt: next === null ? null : DateTime.fromMillis(next, { zone: 'utc' }).toISO({ suppressMilliseconds: true }),
      zones: location.zones,
      reasons: decision.reasons.map((r) => r.message),
      phone: phone.phone,
      regions: location.regions,
      sources: location.sources,
      warnings: location.warnings,
    };
  };
}
