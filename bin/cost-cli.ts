import { parseArgs } from 'node:util';
import { BLAND_TIERS, estimateCost, PRICES_RETRIEVED, type BlandTier } from '../lambdas/domain/cost-model';
import { BackfillCliError } from './admin-api';
import { grid } from './report-cli';

/**
 * `redial cost --leads N [--dials-per-lead-per-day 8] [--avg-call-seconds 40] [--bland-tier start|build|scale] [--json]`:
 * AWS cost per day and per dial, service by service, plus Bland's, from lambdas/domain/data/unit-prices.json.
 */
export function runCost(argv: string[], out: (line: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      leads: { type: 'string' },
      'dials-per-lead-per-day': { type: 'string', default: '8' },
      'avg-call-seconds': { type: 'string', default: '40' },
      'bland-tier': { type: 'string', default: 'start' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const number = (name: string, raw: string | undefined) => {
    const n = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new BackfillCliError(`--${name}: "${raw ?? ''}" is not a number >= 0`);
    return n;
  };
  if (values.leads === undefined) throw new BackfillCliError('cost needs --leads N (open leads being redialed)');
  const tier = values['bland-tier'] as BlandTier;
  if (!BLAND_TIERS.includes(tier)) throw new BackfillCliError(`--bland-tier: "${tier}" is not one of ${BLAND_TIERS.join(', ')}`);
  const estimate = estimateCost({
    leads: number('leads', values.leads),
    dialsPerLeadPerDay: number('dials-per-lead-per-day', values['dials-per-lead-per-day']),
    avgCallSeconds: number('avg-call-seconds', values['avg-call-seconds']),
    blandTier: tier,
  });
  if (values.json) {
    out(JSON.stringify(estimate));
    return 0;
  }
  const usd = (n: number, digits = 2) => `$${n.toFixed(digits)}`;
  const i = estimate.input;
  out(`${i.leads} open leads x ${i.dialsPerLeadPerDay} dials a day = ${estimate.dialsPerDay} dials a day; ${i.avgCallSeconds} s average call; Bland ${tier} tier`);
  for (const line of grid(['item', 'per day', 'per dial'], [
    ...estimate.aws.map((l) => [l.item, usd(l.perDayUsd), usd(l.perDialUsd, 6)]),
    ['AWS total', usd(estimate.awsPerDayUsd), usd(estimate.awsPerDialUsd, 6)],
    [`Bland (${tier})`, usd(estimate.blandPerDayUsd), usd(estimate.blandPerDialUsd, 6)],
    ['total', usd(estimate.totalPerDayUsd), usd(estimate.dialsPerDay > 0 ? estimate.totalPerDayUsd / estimate.dialsPerDay : 0, 6)],
  ])) out(line);
  out(`us-east-1 list prices retrieved ${PRICES_RETRIEVED}, no free tier (lambdas/domain/data/unit-prices.json; docs/cost.md)`);
  return 0;
}
