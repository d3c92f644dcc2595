import { VersionConflictError } from '../ports/lead-store';
import { applyDecision, loopDeps, policyView, type LoopDeps, type LoopPorts } from './loop-deps';

/**
 * The kill switch (docs/operations.md). Pause: every dial is refused and its attempt held as it is (no schedule is
 * made into the pause; the sweeper leaves held attempts alone). Resume: the held (overdue) attempts get new schedules
 * spread at `dialer.resumeRatePerSecond` (counted per minute), each at its earliest allowed moment, so the backlog
 * does not burst past Bland's rate limit.
 */
export function makeKillSwitch(ports: LoopPorts | LoopDeps) {
  const deps = 'policy' in ports ? ports : loopDeps(ports);

  async function pause(by: string): Promise<{ paused: true }> {
    await deps.store.setSystemPaused(true, by, deps.clock.now());
    deps.log?.({ event: 'paused', phone: '-', detail: `kill switch on (${by}): no call is placed until resume` });
    return { paused: true };
  }

  /**
   * Restores the held attempts while the switch is still on (so the sweeper, which skips while paused, cannot
   * reschedule them all at once), then turns it off. Bounded by `deadline`: a large backlog is restored over several
   * calls, and the switch stays on until one finishes (`paused: true, finished: false` means "call resume again").
   */
  async function resume(by: string, deadline = Infinity): Promise<{ paused: boolean; finished: boolean; restored: number; lastAt: string | null }> {
    const now = deps.clock.now();
    // Schedules fire on the minute (EventBridge Scheduler's precision), so the backlog is spread by minute: at most
    // rate × 60 attempts per minute, each at its earliest allowed moment in a minute with room left. Leads whose
    // window is closed now land at its opening, and the same budget spreads them from there.
    const perMinute = Math.max(1, Math.floor(deps.config.dialer.resumeRatePerSecond * 60));
    const used = new Map<number, number>();
    let restored = 0;
    let lastAt: number | null = null;
    let finished = false;
    // Held attempts are the overdue, unclaimed ones. Each is restored once (a restored slot may be `now` itself, so
    // the due index can return it again: the set skips it).
    const done = new Set<string>();
    rounds: for (let round = 0; round < 10_000; round++) {
      const due = (await deps.store.listDue(now, 500 + done.size)).filter((lead) => !done.has(lead.phone) && lead.scheduleToken !== null && lead.claimedToken !== lead.scheduleToken);
      if (due.length === 0) {
        finished = true;
        break;
      }
      for (const listed of due) {
        if (deps.clock.now() >= deadline) break rounds;
        done.add(listed.phone);
        // Read again: the lead may have changed since it was listed (an intake, a late outcome).
        const lead = await deps.store.get(listed.phone);
        if (!lead || lead.status !== 'ACTIVE' || lead.scheduleToken === null || lead.claimedToken === lead.scheduleToken) continue;
        // A schedule fires a minute ahead at the soonest (the schedulers' lead time): the budget starts there.
        let decision = deps.policy.schedule(policyView(lead), now + 60_000, lead.attemptReason ?? 'gap', now);
        for (let guard = 0; guard < 100_000 && decision.kind === 'redial'; guard++) {
          const minute = Math.floor(decision.nextAttemptAt / 60_000);
          if ((used.get(minute) ?? 0) < perMinute) {
            used.set(minute, (used.get(minute) ?? 0) + 1);
            break;
          }
          decision = deps.policy.schedule(policyView(lead), (minute + 1) * 60_000, lead.attemptReason ?? 'gap', now);
        }
        try {
          const next = await applyDecision(deps, lead, { ...decision, detail: `restored after the kill switch; ${decision.detail}` });
          lastAt = Math.max(lastAt ?? 0, next.nextAttemptAt ?? 0);
          restored++;
        } catch (error) {
          // Changed under us: it has an attempt of its own now, or the next resume call takes it.
          if (!(error instanceof VersionConflictError)) throw error;
          done.delete(listed.phone);
        }
      }
    }
    if (finished) await deps.store.setSystemPaused(false, by, deps.clock.now());
    deps.log?.({ event: finished ? 'resumed' : 'resuming', phone: '-', detail: `${restored} held attempt(s) restored${finished ? '; kill switch off' : '; call resume again to finish'}` });
    return { paused: !finished, finished, restored, lastAt: lastAt === null ? null : new Date(lastAt).toISOString() };
  }

  return { pause, resume };
}
