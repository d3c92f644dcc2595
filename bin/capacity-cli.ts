import { parseArgs } from 'node:util';
import { capacityPlan } from '../lambdas/domain/capacity-plan';
import { BLAND_PLANS, type BlandPlanName } from '../lambdas/domain/pacing';
import { DEFAULT_CONFIG } from '../lambdas/config/config';
import { BackfillCliError } from './admin-api';
import { grid } from './report-cli';

/**
 * `redial capacity --leads N [--plan scale] [--avg-call-seconds 45] [--json]`: for N open leads redialed on the default
 * cadence (gaps 0, 2, 5, 10, 30, 60, 120 min, 8 a day, inside the 11:00-20:00 business window), the dials due a day
 * against what each Bland plan can place, the shortfall, and the smallest plan that covers it.
 */
export function runCapacity(argv: string[], out: (line: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      leads: { type: 'string' },
      plan: { type: 'string', default: DEFAULT_CONFIG.pacer.plan },
      'avg-call-seconds': { type: 'string', default: String(DEFAULT_CONFIG.pacer.avgCallSeconds) },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const leads = Number(values.leads);
  if (values.leads === undefined || !Number.isInteger(leads) || leads < 0) throw new BackfillCliError(`capacity needs --leads N (a whole number >= 0 of open leads), got "${values.leads ?? ''}"`);
  const avg = Number(values['avg-call-seconds']);
  if (!Number.isFinite(avg) || avg <= 0) throw new BackfillCliError(`--avg-call-seconds: "${values['avg-call-seconds']}" is not a number > 0`);
  const plans = Object.keys(BLAND_PLANS) as BlandPlanName[];
  if (!plans.includes(values.plan as BlandPlanName)) throw new BackfillCliError(`--plan: "${values.plan}" is not one of ${plans.join(', ')}`);
  const { business } = DEFAULT_CONFIG.window;
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const cadence = { gapsMinutes: DEFAULT_CONFIG.policy.gapsMinutes, maxCallsPerDay: DEFAULT_CONFIG.policy.maxCallsPerDay, windowMinutes: minutes(business.end) - minutes(business.start), avgCallSeconds: avg };
  const chosen = capacityPlan(leads, cadence, BLAND_PLANS[values.plan as BlandPlanName]);
  if (values.json) {
    out(JSON.stringify({ plan: values.plan, ...chosen, plans: Object.fromEntries(plans.map((p) => [p, capacityPlan(leads, cadence, BLAND_PLANS[p])])) }));
    return 0;
  }
  out(`${leads} open leads x ${chosen.dialsPerLeadPerDay} dials a day (the cadence in a ${cadence.windowMinutes / 60} h window, ${avg} s calls) = ${chosen.dueDialsPerDay} dials due a day`);
  for (const line of grid(['plan', 'at once', 'an hour', 'a day', 'dials possible a day', 'leads covered', 'shortfall a day'], plans.map((p) => {
    const x = capacityPlan(leads, cadence, BLAND_PLANS[p]);
    return [`${p}${p === values.plan ? ' (this)' : ''}`, BLAND_PLANS[p].concurrency, BLAND_PLANS[p].perHour, BLAND_PLANS[p].perDay, x.possibleDialsPerDay, x.leadsCovered, x.shortfallPerDay];
  }))) out(line);
  out(chosen.shortfallPerDay === 0
    ? `the ${values.plan} plan covers the demand`
    : `the ${values.plan} plan is ${chosen.shortfallPerDay} dials a day short: ${chosen.coveringPlan ? `the ${chosen.coveringPlan} plan covers it` : 'no self-serve plan covers it; an Enterprise agreement (its concurrency and daily cap set in pacer.concurrency / pacer.perDay) is needed'}`);
  return 0;
}
