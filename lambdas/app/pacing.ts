import type { Config } from '../config/config';
import type { Lead } from '../domain/lead';
import {
  BLAND_PLANS, bookedRetryAt, CAPACITY_LIMITS, capacityKeys, classifyDial, classOfPlace, HOUR_BOOKING_AHEAD, laneLimits, lineSpacingMs, nextHourStart, overbookedRetryAt, retryAt, waiterPlace, type CapacityLimit, type DialClass, type PacingRules,
} from '../domain/pacing';
import type { DialMessage } from '../ports/attempt-scheduler';
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

/** Sends a waiting attempt's dial message now (to its lane's queue). */
export type WakeSender = (message: DialMessage) => Promise<void>;

/** At most this many waiters are looked at for one freed slot (the head of the room; the sweeper wakes the rest). */
const WAKE_LOOK = 5;

/**
 * The pacer every dialer instance shares: admits a dial when its class's share of every limit has room (the slot is
 * then held under the attempt's token until released), else says which limit binds and when to try again. An attempt
 * deferred because every slot of its class was taken waits in the waiting room: the call that frees a slot sends the
 * first waiter whose class may use it straight to the dialer (so a freed slot is used at once, in priority order, and
 * nothing polls); its own delayed message, at its turn in line, is only the fallback.
 */
export function makePacer(store: CapacityStore, config: Config, random: () => number = Math.random, wakeSender: WakeSender | null = null) {
  const rules = pacingRules(config);
  /** The most slots a class's lane may hold (the day's first calls: of a lead of age 0, the newest). */
  const laneOf = (cls: DialClass) => laneLimits(rules, cls, 0).concurrency;

  /** Sends up to `slots` waiters, first places first, whose class's lane is below its share with `inFlight` held. */
  async function wake(inFlight: number, slots: number): Promise<number> {
    if (!wakeSender || slots <= 0) return 0;
    let woken = 0;
    while (woken < slots) {
      const heads = await store.waiters(Math.min(WAKE_LOOK, slots - woken));
      if (heads.length === 0) break;
      let progressed = false;
      for (const waiter of heads) {
        // Lanes shrink down the classes: once a class has no room, no class after it has.
        if (inFlight + woken >= laneOf(classOfPlace(waiter.place))) return woken;
        if (!(await store.take(waiter.place))) continue;
        progressed = true;
        await wakeSender(waiter.message);
        woken++;
        if (woken >= slots) break;
      }
      if (!progressed) break;
    }
    return woken;
  }

  /** A retry booked in the first of the next hours with room for `cls` (its share of the cap), or past them. */
  async function bookRetry(cls: DialClass, lanePerHour: number, now: number): Promise<number> {
    for (let k = 0; k < HOUR_BOOKING_AHEAD; k++) {
      const hourStart = nextHourStart(now) + k * 3_600_000;
      const n = await store.bookHour(capacityKeys(hourStart).hour, lanePerHour);
      if (n !== null) return bookedRetryAt(cls, hourStart, n, rules.limits.perHour ?? lanePerHour, random);
    }
    return overbookedRetryAt(now, random);
  }

  return {
    rules,
    async admit(lead: Lead, token: string, callsToday: number, reason: string | null | undefined, now: number): Promise<Admission> {
      const cls = classifyDial({ callsTotal: lead.attemptsTotal, callsToday, reason });
      const lane = laneLimits(rules, cls, now - lead.createdAt);
      const result = await store.acquire(token, capacityKeys(now), lane, now + rules.leaseMs, now);
      if (result.acquired) return { admitted: true, cls, usage: result.usage };
      const limit = CAPACITY_LIMITS.find((l) => result.full.includes(l)) ?? 'concurrency';
      // For a slot: a turn in its class's line, at the pace slots free up. For the hourly cap: a booked retry in one
      // of the next hours (all waiters back at the top of the hour would refuse most of them again).
      const turn = limit === 'concurrency' ? await store.reserveTurn(cls, now, lineSpacingMs(rules, lane))
        : limit === 'per-hour' && lane.perHour !== null ? await bookRetry(cls, lane.perHour, now) : undefined;
      return { admitted: false, cls, limit, retryAt: retryAt(limit, cls, now, random, turn), usage: result.usage };
    },
    /**
     * Frees a call's slot when it ended (webhook, watchdog, sweeper) or was never placed, adds its price to the day, and
     * hands the slot to the first waiter that may use it. A slot under which no call was placed gives its counts back.
     */
    async release(token: string, now: number, priceUsd = 0, unplacedSince?: number): Promise<void> {
      // `unplacedSince`: admitted then, but no call was placed (a 429, a lead closed in the CRM, a refusal at dial
      // time): the hour's and day's counts taken then are given back.
      const giveBack = unplacedSince === undefined ? undefined : capacityKeys(unplacedSince);
      const { inFlight, refusedAt } = await store.release(token, capacityKeys(now).day, priceUsd, now, giveBack);
      // Someone can be waiting only after a dial was refused for concurrency. With none refused for a lease's length
      // (most calls' end), the room is not looked at; one stranded longer (a wake lost to a crash) is the sweeper's.
      if (refusedAt !== null && now - refusedAt <= rules.leaseMs) await wake(inFlight, 1);
    },
    /** Puts an attempt deferred for concurrency in the waiting room (its message is the lead's new attempt). */
    park(lead: Lead, cls: DialClass, message: DialMessage): Promise<void> {
      return store.park({ place: waiterPlace(cls, { phone: lead.phone, dueSince: lead.deferredSince ?? lead.nextAttemptAt ?? lead.updatedAt, createdAt: lead.createdAt }), message });
    },
    /** Takes an admitted attempt out of the waiting room, if it waited there (it came back by its own message). */
    async unpark(lead: Lead, cls: DialClass): Promise<void> {
      if (lead.deferredSince) await store.unpark(waiterPlace(cls, { phone: lead.phone, dueSince: lead.deferredSince, createdAt: lead.createdAt }));
    },
    /** Hands every free slot to waiters (the sweeper: slots freed by an expired lease, a wake that was lost). */
    async wakeFree(now: number): Promise<number> {
      const usage = await store.usage(capacityKeys(now), now);
      return wake(usage.inFlight, rules.limits.concurrency - usage.inFlight);
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
