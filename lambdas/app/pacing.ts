import type { Config } from '../config/config';
import type { Lead } from '../domain/lead';
import {
  BLAND_PLANS, CAPACITY_LIMITS, capacityKeys, classifyDial, laneLimits, lineSpacingMs, retryAt, type CapacityLimit, type DialClass, type PacingRules,
} from '../domain/pacing';
import type { CapacityStore, CapacityUsage } from '../ports/dial-capacity';

/** The pacing rules a configuration sets: the named plan's caps, each overridable. */
export function pacingRules(config: Config): PacingRules {
  const p = config.pacer;
  const plan = BLAND_PLANS[p.plan];
  return {
    limits: {
      concurrency: p.concurrency ?? plan.concurrency,
      perSecond: p.perSecond === undefined ? plan.perSecond : p.perSecond,
      perHour: p.perHour === undefined ? plan.perHour : p.perHour,
      perDay: p.perDay === undefined ? plan.perDay : p.perDay,
    },
    reservedShare: p.reservedShare,
    newestFirstShare: p.newestFirstShare,
    dailySpendCapUsd: p.dailySpendCapUsd,
    leaseMs: (config.dialer.maxDurationMinutes + config.dialer.watchdogGraceMinutes) * 60_000,
    avgCallSeconds: p.avgCallSeconds,
  };
}

export type Admission =
  | { readonly admitted: true; readonly cls: DialClass; readonly usage: CapacityUsage }
  | { readonly admitted: false; readonly cls: DialClass; readonly limit: CapacityLimit; readonly retryAt: number; readonly usage: CapacityUsage };

/**
 * The pacer every dialer instance shares: admits a dial when its class's share of every limit has room (the slot is
 * then held under the attempt's token until released), else says which limit binds and when to try again.
 */
export function makePacer(store: CapacityStore, config: Config, random: () => number = Math.random) {
  const rules = pacingRules(config);
  return {
    rules,
    async admit(lead: Lead, token: string, callsToday: number, reason: string | null | undefined, now: number): Promise<Admission> {
      const cls = classifyDial({ callsTotal: lead.attemptsTotal, callsToday, reason });
      const lane = laneLimits(rules, cls, now - lead.createdAt);
      const result = await store.acquire(token, capacityKeys(now), lane, now + rules.leaseMs, now);
      if (result.acquired) return { admitted: true, cls, usage: result.usage };
      const limit = CAPACITY_LIMITS.find((l) => result.full.includes(l)) ?? 'concurrency';
      const turn = limit === 'concurrency' ? await store.reserveTurn(cls, now, lineSpacingMs(rules, lane)) : undefined;
      return { admitted: false, cls, limit, retryAt: retryAt(limit, cls, now, random, turn), usage: result.usage };
    },
    /** Frees a call's slot when it ended (webhook, watchdog, sweeper) or was never placed; adds its price to the day. */
    release(token: string, now: number, priceUsd = 0): Promise<void> {
      return store.release(token, capacityKeys(now).day, priceUsd);
    },
    usage(now: number): Promise<CapacityUsage> {
      return store.usage(capacityKeys(now), now);
    },
    prune(now: number): Promise<void> {
      return store.prune(capacityKeys(now), now);
    },
  };
}

export type Pacer = ReturnType<typeof makePacer>;
