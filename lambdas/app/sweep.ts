import { METRIC } from '../ports/metrics';
import { trimCallTimes } from '../domain/lead';
import { maskPhone } from '../domain/phone';
import { dialScheduleName } from '../ports/attempt-scheduler';
import { applyDecision, loopDeps, policyView, type LoopDeps, type LoopPorts } from './loop-deps';

/**
 * The safety net behind "every open lead has exactly one future attempt". Runs every few minutes over the `due`
 * index (active leads whose attempt time has passed):
 * - an attempt that was never claimed (its schedule was lost, e.g. a crash between the lead write and the schedule)
 *   is scheduled again under the same name (idempotent);
 * - an attempt claimed long ago whose call never got indexed (a crash between claim and the call record, with the
 *   webhook lost too) counts as a call placed at the claim time (the stricter assumption for caps) that FAILED, and
 *   the lead is rescheduled.
 */
export function makeSweep(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);
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
