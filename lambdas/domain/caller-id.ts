/**
 * The caller-ID pool: which of our numbers a call goes out from. Local presence and a number the customer has
 * already picked up from get more pickups; a number that keeps getting no pickups (flagged as spam by carriers, or
 * just unlucky) rests a while. Pure: the state comes from the store, the randomness is injected.
 */

export interface CallerIdConfig {
  readonly numbers: readonly { readonly number: string; readonly weight: number }[];
  /** Consecutive non-pickups that cool a number down. */
  readonly coolAfter: number;
  readonly cooldownMinutes: number;
  /** From this many consecutive non-pickups on, the longer cooldown. */
  readonly longCoolAfter: number;
  readonly longCooldownMinutes: number;
  /** Cooling never leaves fewer numbers than this available (or the whole pool, if smaller). */
  readonly minAvailable: number;
}

/** One hour's tallies of a number (`hour` = `YYYY-MM-DDTHH`, UTC). */
export interface HourTally {
  readonly dials: number;
  readonly pickups: number;
  readonly transfers: number;
}

export interface CallerIdState {
  readonly number: string;
  readonly consecutiveNonPickups: number;
  readonly cooledUntil: number;
  /** Tallies by UTC hour, the last 48 hours kept. */
  readonly hours: Readonly<Record<string, HourTally>>;
}

export const WINDOW_HOURS = 48;
const HOUR = 3_600_000;
const hourKey = (ms: number) => new Date(Math.floor(ms / HOUR) * HOUR).toISOString().slice(0, 13);

export function emptyState(number: string): CallerIdState {
  return { number, consecutiveNonPickups: 0, cooledUntil: 0, hours: {} };
}

/** Dials, pickups and transfers of the last 48 hours. */
export function recentTally(state: CallerIdState, now: number): HourTally {
  const oldest = hourKey(now - (WINDOW_HOURS - 1) * HOUR);
  let dials = 0;
  let pickups = 0;
  let transfers = 0;
  for (const [hour, t] of Object.entries(state.hours)) {
    if (hour < oldest) continue;
    dials += t.dials;
    pickups += t.pickups;
    transfers += t.transfers;
  }
  return { dials, pickups, transfers };
}

/** Pickup rate over the last 48 hours, smoothed so a new number starts at 1/2 rather than 0 or 1. */
export function pickupRate(state: CallerIdState, now: number): number {
  const t = recentTally(state, now);
  return (t.pickups + 1) / (t.dials + 2);
}

/**
 * The numbers a call may go out from at `now`: those not cooling down; if fewer than the floor, the cooled ones
 * that come back soonest are added until it is met.
 */
export function availableNumbers(config: CallerIdConfig, states: ReadonlyMap<string, CallerIdState>, now: number): string[] {
  const all = config.numbers.map((n) => n.number);
  const floor = Math.min(config.minAvailable, all.length);
  const cool = (n: string) => (states.get(n)?.cooledUntil ?? 0) > now;
  const warm = all.filter((n) => !cool(n));
  if (warm.length >= floor) return warm;
  const soonest = all.filter(cool).sort((a, b) => states.get(a)!.cooledUntil - states.get(b)!.cooledUntil);
  return [...warm, ...soonest.slice(0, floor - warm.length)];
}

export interface CallerIdChoice {
  readonly number: string;
  readonly why: 'last-pickup' | 'local-presence' | 'pickup-rate';
}

/**
 * The number for one call to `leadPhone`: the one this lead last picked up from; else one with the lead's area
 * code; else any, each weighted by its pickup rate (times its configured weight). Null when the pool is empty.
 */
export function chooseCallerId(
  config: CallerIdConfig,
  states: ReadonlyMap<string, CallerIdState>,
  lead: { readonly phone: string; readonly lastPickupFrom?: string | null | undefined },
  now: number,
  random: () => number,
): CallerIdChoice | null {
  const available = availableNumbers(config, states, now);
  if (available.length === 0) return null;
  if (lead.lastPickupFrom && available.includes(lead.lastPickupFrom)) return { number: lead.lastPickupFrom, why: 'last-pickup' };
  const area = lead.phone.slice(2, 5);
  const local = available.filter((n) => n.slice(2, 5) === area);
  const candidates = local.length > 0 ? local : available;
  const weightOf = (n: string) => (config.numbers.find((c) => c.number === n)?.weight ?? 1) * pickupRate(states.get(n) ?? emptyState(n), now);
  const weights = candidates.map(weightOf);
  const total = weights.reduce((a, b) => a + b, 0);
  let pick = random() * total;
  for (const [i, n] of candidates.entries()) {
    pick -= weights[i]!;
    if (pick < 0) return { number: n, why: local.length > 0 ? 'local-presence' : 'pickup-rate' };
  }
  return { number: candidates.at(-1)!, why: local.length > 0 ? 'local-presence' : 'pickup-rate' };
}

/** A number's state after one of its calls ended: tallies, the non-pickup streak, and a cooldown when it is due. */
export function afterCall(config: CallerIdConfig, state: CallerIdState, call: { pickedUp: boolean; transferred: boolean }, now: number): CallerIdState {
  const key = hourKey(now);
  const oldest = hourKey(now - (WINDOW_HOURS - 1) * HOUR);
  const hours: Record<string, HourTally> = {};
  for (const [hour, t] of Object.entries(state.hours)) if (hour >= oldest) hours[hour] = t;
  const t = hours[key] ?? { dials: 0, pickups: 0, transfers: 0 };
  hours[key] = { dials: t.dials + 1, pickups: t.pickups + (call.pickedUp ? 1 : 0), transfers: t.transfers + (call.transferred ? 1 : 0) };
  const streak = call.pickedUp ? 0 : state.consecutiveNonPickups + 1;
  let cooledUntil = state.cooledUntil;
  if (streak >= config.longCoolAfter) cooledUntil = Math.max(cooledUntil, now + config.longCooldownMinutes * 60_000);
  else if (streak >= config.coolAfter) cooledUntil = Math.max(cooledUntil, now + config.cooldownMinutes * 60_000);
  return { number: state.number, consecutiveNonPickups: streak, cooledUntil, hours };
}

export interface CallerIdRow {
  readonly number: string;
  readonly dials: number;
  readonly pickups: number;
  readonly transfers: number;
  /** Pickups ÷ dials over the last 48 hours (null before the first dial). */
  readonly pickupRate: number | null;
  readonly consecutiveNonPickups: number;
  /** ISO instant the number's cooldown ends, or null when it is available. */
  readonly coolingUntil: string | null;
}

/** One row per pool number: its last 48 hours and whether it is resting. */
export function callerIdReport(config: CallerIdConfig, states: ReadonlyMap<string, CallerIdState>, now: number): CallerIdRow[] {
  return config.numbers.map(({ number }) => {
    const state = states.get(number) ?? emptyState(number);
    const t = recentTally(state, now);
    return {
      number,
      ...t,
      pickupRate: t.dials > 0 ? Math.round((t.pickups / t.dials) * 10_000) / 10_000 : null,
      consecutiveNonPickups: state.consecutiveNonPickups,
      coolingUntil: state.cooledUntil > now ? new Date(state.cooledUntil).toISOString() : null,
    };
  });
}
