import { METRIC } from '../ports/metrics';
import { trimCallTimes } from '../domain/lead';
import { maskPhone } from '../domain/phone';
import { applyDecision, attemptRoute, dialMessageFor, loopDeps, policyView, sendAttempt, type LoopDeps, type LoopPorts } from './loop-deps';
import { makeRecordCallOutcome, type CallEnded } from './record-call-outcome';
import { FINAL_STATUSES, WATCHDOG_GIVE_UP_MS } from './watchdog';
import type { Lead } from '../domain/lead';

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Stuck claims looked up in the platform's call list per sweep (each costs a few requests; the rest wait a sweep). */
export const LOOKUPS_PER_SWEEP = 10;

const digits10 = (phone: string) => phone.replace(/\D/g, '').slice(-10);

/**
 * The safety net behind "every open lead has exactly one future attempt". Runs every few minutes over the `due`
 * index (active leads whose attempt time has passed):
 * - an attempt that was never claimed (its schedule was lost, e.g. a crash between the lead write and the schedule)
 *   is scheduled again under the same name (idempotent). These go first: they are cheap and nothing else finds them;
 * - an attempt claimed long ago whose call never got indexed (a crash between claim and the call record, with the
 *   webhook lost too) is looked up in the voice platform's call list (at most LOOKUPS_PER_SWEEP a run): a call to the
 *   number since the claim whose metadata names the attempt is recorded as its webhook would have been (a SALE or DNC
 *   is never lost); a call still running, or a platform that cannot answer, is left for the next sweep. Found nothing
 *   (or nothing after 2 hours of asking): it counts as a call placed at the claim time (the stricter assumption for
 *   caps) that FAILED, and the lead is rescheduled.
 * One lead's failure never stops the run for the others.
 */
export function makeSweep(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);
  const recordCallOutcome = makeRecordCallOutcome(deps);

  /** The call placed for the lead's claimed attempt, from the platform: its report, 'running', or null (none). */
  async function claimedCall(lead: Lead, claimedAt: number, now: number): Promise<CallEnded | 'running' | null> {
    if (!deps.callLog) return null;
    const since = claimedAt - 60_000;
    const ids: string[] = [];
    // Bland's start_date/end_date zone is UNCONFIRMED (docs/bland.md): a day either side of the UTC days.
    for (let day = Date.parse(`${utcDay(since)}T00:00:00Z`) - 86_400_000; day <= now + 86_400_000; day += 86_400_000) {
      const page = await deps.callLog.listCalls({ startDate: utcDay(day), endDate: utcDay(day), offset: 0, limit: 100, toNumber: lead.phone });
      // Filtered here too: the to_number format Bland matches is UNCONFIRMED.
      ids.push(...page.calls.filter((c) => c.createdAt >= since && digits10(c.customer) === digits10(lead.phone)).map((c) => c.callId));
    }
    for (const callId of [...new Set(ids)].reverse()) {
      // The platform's record of the call carries the metadata the dialer sent (docs/bland.md).
      const report = (await deps.agent.getCall(callId)) as CallEnded | null;
      if (report?.metadata?.scheduleToken !== lead.scheduleToken) continue;
      const finished = report.completed === true || FINAL_STATUSES.has(String(report.status ?? '').toLowerCase());
      return finished ? { ...report, call_id: callId } : 'running';
    }
    return null;
  }

  /** A stuck claim: its call found and recorded, left for the next sweep, or counted FAILED. */
  async function recoverClaim(lead: Lead, now: number, lookup: boolean): Promise<'recovered' | 'waiting'> {
    const claimedAt = lead.claimedAt ?? lead.updatedAt;
    const givenUp = claimedAt < now - WATCHDOG_GIVE_UP_MS;
    let found: CallEnded | 'running' | null = null;
    if (!givenUp) {
      if (!lookup) return 'waiting';
      try {
        found = await claimedCall(lead, claimedAt, now);
      } catch (error) {
        deps.log?.({ event: 'sweep-lookup-failed', phone: maskPhone(lead.phone), detail: (error as Error).message.slice(0, 200) });
        return 'waiting';
      }
      if (found === 'running') return 'waiting';
    }
    if (found) {
      const recorded = await recordCallOutcome(found);
      if (recorded.result === 'recorded') {
        deps.log?.({ event: 'sweep-found-call', phone: maskPhone(lead.phone), detail: `call ${String(found.call_id)}: ${recorded.outcome}` });
        return 'recovered';
      }
    }
    const withCall = { ...lead, attemptsTotal: lead.attemptsTotal + 1, recentCallTimes: trimCallTimes([...lead.recentCallTimes, claimedAt], now) };
    const decision = deps.policy.decide(policyView(withCall), { outcome: 'FAILED' }, now);
    await applyDecision(deps, lead, decision, { attemptsTotal: withCall.attemptsTotal, recentCallTimes: withCall.recentCallTimes, lastOutcome: 'FAILED' });
    if (lead.claimedToken) await deps.pacer?.release(lead.claimedToken, now);
    return 'recovered';
  }

  return async function sweep(): Promise<{ rescheduled: number; recovered: number }> {
    // While the kill switch is on, overdue attempts are held on purpose: resume restores them, spread out.
    if (await deps.store.getSystemPaused()) return { rescheduled: 0, recovered: 0 };
    const now = deps.clock.now();
    // The capacity ledger's expired leases (calls whose end was never seen) and past periods go; free slots go to the
    // waiting room (slots freed by an expired lease, a wake lost to a crash).
    try {
      await deps.pacer?.prune(now);
      await deps.pacer?.wakeFree(now);
    } catch (error) {
      deps.log?.({ event: 'sweep-failed', phone: '-', detail: `capacity ledger prune: ${(error as Error).message.slice(0, 200)}` });
    }
    const graceMs = 2 * 60_000;
    const stuckMs = (deps.config.dialer.maxDurationMinutes + deps.config.dialer.watchdogGraceMinutes) * 60_000;
    let rescheduled = 0;
    let recovered = 0;
    const due = (await deps.store.listDue(now - graceMs, 500)).filter((l) => l.scheduleToken && l.nextAttemptAt !== null);
    const unclaimed = due.filter((l) => l.claimedToken !== l.scheduleToken);
    const stuck = due.filter((l) => l.claimedToken === l.scheduleToken && (l.claimedAt ?? l.updatedAt) < now - stuckMs);
    for (const lead of unclaimed) {
      try {
        // Sent again under the same token (a copy that does arrive is dropped by the claim): now, by queue where there is one.
        await sendAttempt(deps, attemptRoute(deps, now, now), now, dialMessageFor(lead));
        deps.log?.({ event: 'sweep-reschedule', phone: maskPhone(lead.phone), detail: 'attempt overdue: schedule made again' });
        rescheduled++;
      } catch (error) {
        deps.log?.({ event: 'sweep-failed', phone: maskPhone(lead.phone), detail: (error as Error).message.slice(0, 200) });
      }
    }
    // Oldest claims first, so every stuck claim gets its lookup within a few runs.
    stuck.sort((a, b) => (a.claimedAt ?? a.updatedAt) - (b.claimedAt ?? b.updatedAt));
    let lookups = 0;
    for (const lead of stuck) {
      try {
        const lookup = lookups < LOOKUPS_PER_SWEEP;
        const claimedAt = lead.claimedAt ?? lead.updatedAt;
        if (lookup && claimedAt >= now - WATCHDOG_GIVE_UP_MS) lookups++;
        if ((await recoverClaim(lead, now, lookup)) === 'recovered') recovered++;
      } catch (error) {
        deps.log?.({ event: 'sweep-failed', phone: maskPhone(lead.phone), detail: (error as Error).message.slice(0, 200) });
      }
    }
    if (rescheduled + recovered > 0) deps.metrics?.add(METRIC.sweeperRecoveries, rescheduled + recovered);
    return { rescheduled, recovered };
  };
}
