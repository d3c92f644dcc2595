import { METRIC } from '../ports/metrics';
import { trimCallTimes } from '../domain/lead';
import { maskPhone } from '../domain/phone';
import { dialScheduleName } from '../ports/attempt-scheduler';
import { applyDecision, loopDeps, policyView, type LoopDeps, type LoopPorts } from './loop-deps';
import { makeRecordCallOutcome, type CallEnded } from './record-call-outcome';
import { FINAL_STATUSES, WATCHDOG_GIVE_UP_MS } from './watchdog';
import type { Lead } from '../domain/lead';

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The safety net behind "every open lead has exactly one future attempt". Runs every few minutes over the `due`
 * index (active leads whose attempt time has passed):
 * - an attempt that was never claimed (its schedule was lost, e.g. a crash between the lead write and the schedule)
 *   is scheduled again under the same name (idempotent);
 * - an attempt claimed long ago whose call never got indexed (a crash between claim and the call record, with the
 *   webhook lost too) is looked up in the voice platform's call list: a call to the number since the claim whose
 *   metadata names the attempt is recorded as its webhook would have been (a SALE or DNC is never lost); a call still
 *   running is left for the next sweep. Found nothing (or nothing after 2 hours of asking): it counts as a call placed
 *   at the claim time (the stricter assumption for caps) that FAILED, and the lead is rescheduled.
 */
export function makeSweep(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);
  const recordCallOutcome = makeRecordCallOutcome(deps);

  /** The call placed for the lead's claimed attempt, from the platform: its report, 'running', or null (none). */
  async function claimedCall(lead: Lead, now: number): Promise<CallEnded | 'running' | null> {
    if (!deps.callLog) return null;
    const since = lead.updatedAt - 60_000;
    const ids: string[] = [];
    for (let day = Date.parse(`${utcDay(since)}T00:00:00Z`); day <= now; day += 86_400_000) {
      const page = await deps.callLog.listCalls({ startDate: utcDay(day), endDate: utcDay(day), offset: 0, limit: 100, toNumber: lead.phone });
      ids.push(...page.calls.filter((c) => c.createdAt >= since).map((c) => c.callId));
    }
    for (const callId of ids.reverse()) {
      // The platform's record of the call carries the metadata the dialer sent (docs/bland.md).
      const report = (await deps.agent.getCall(callId)) as CallEnded | null;
      if (report?.metadata?.scheduleToken !== lead.scheduleToken) continue;
      const finished = report.completed === true || FINAL_STATUSES.has(String(report.status ?? '').toLowerCase());
      return finished ? { ...report, call_id: callId } : 'running';
    }
    return null;
  }

  return async function sweep(): Promise<{ rescheduled: number; recovered: number }> {
    // While the kill switch is on, overdue attempts are held on purpose: resume restores them, spread out.
    if (await deps.store.getSystemPaused()) return { rescheduled: 0, recovered: 0 };
    const now = deps.clock.now();
    const graceMs = 2 * 60_000;
    const stuckMs = (deps.config.dialer.maxDurationMinutes + deps.config.dialer.watchdogGraceMinutes) * 60_000;
    let rescheduled = 0;
    let recovered = 0;
    for (const lead of await deps.store.listDue(now - graceMs, 500)) {
      if (!lead.scheduleToken || lead.nextAttemptAt === null) continue;
      if (lead.claimedToken !== lead.scheduleToken) {
        await deps.scheduler.schedule(dialScheduleName(lead.scheduleToken), now, { v: 1, kind: 'dial', phone: lead.phone, scheduleToken: lead.scheduleToken });
        deps.log?.({ event: 'sweep-reschedule', phone: maskPhone(lead.phone), detail: 'attempt overdue: schedule made again' });
        rescheduled++;
      } else if (lead.updatedAt < now - stuckMs) {
        let found: CallEnded | 'running' | null;
        try {
          found = await claimedCall(lead, now);
        } catch (error) {
          // The platform cannot answer now: ask at the next sweep, for up to 2 hours, then count FAILED.
          found = lead.updatedAt >= now - WATCHDOG_GIVE_UP_MS ? 'running' : null;
          deps.log?.({ event: 'sweep-lookup-failed', phone: maskPhone(lead.phone), detail: (error as Error).message });
        }
        if (found === 'running' && lead.updatedAt >= now - WATCHDOG_GIVE_UP_MS) continue;
        if (found && found !== 'running') {
          const recorded = await recordCallOutcome(found);
          if (recorded.result === 'recorded') {
            deps.log?.({ event: 'sweep-found-call', phone: maskPhone(lead.phone), detail: `call ${String(found.call_id)}: ${recorded.outcome}` });
            recovered++;
            continue;
          }
        }
        const callAt = lead.updatedAt;
        const withCall = { ...lead, attemptsTotal: lead.attemptsTotal + 1, recentCallTimes: trimCallTimes([...lead.recentCallTimes, callAt], now) };
        const decision = deps.policy.decide(policyView(withCall), { outcome: 'FAILED' }, now);
        await applyDecision(deps, lead, decision, { attemptsTotal: withCall.attemptsTotal, recentCallTimes: withCall.recentCallTimes, lastOutcome: 'FAILED' });
        recovered++;
      }
    }
    if (rescheduled + recovered > 0) deps.metrics?.add(METRIC.sweeperRecoveries, rescheduled + recovered);
    return { rescheduled, recovered };
  };
}
