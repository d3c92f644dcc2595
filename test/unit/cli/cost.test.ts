import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mainAsync } from '../../../bin/cli';
import { awsCostPerDial, estimateCost, PER_DIAL } from '../../../lambdas/domain/cost-model';
import prices from '../../../lambdas/domain/data/unit-prices.json';

describe('the cost model', () => {
  it('every price names its public source', () => {
    for (const [name, price] of Object.entries(prices.aws)) {
      expect([name, price.source]).toEqual([name, expect.stringMatching(/^https:\/\/aws\.amazon\.com\//)]);
      expect(price.usd).toBeGreaterThan(0);
    }
    expect(prices.bland.source).toContain('https://www.bland.ai/pricing');
  });

  it('one dial costs the sum of its operations at the listed prices (hand-computed at 2026-11-24 prices)', () => {
    // 21.1 WRU, 12.6 RRU (as bench/ops.ts counts them), 0.6 schedule invocation, 7 SQS, 3 x (request + 0.25 s x 0.5 GB),
    // 1 HTTP API, 1 S3 PUT, 4 KB of logs.
    const hand = 21.1 * 0.625e-6 + 12.6 * 0.125e-6 + 0.6 * 1e-6 + 7 * 0.4e-6 + 3 * (0.2e-6 + 0.125 * 0.0000133334) + 1e-6 + 5e-6 + (4 / 1_048_576) * 0.5;
    expect(awsCostPerDial()).toBeCloseTo(hand, 12);
  });

  it('the DynamoDB units per dial are the ones bench/ops.ts counted (production wiring), as docs/cost.md cites them', () => {
    expect(PER_DIAL.dynamoWriteUnits).toBe(21.1);
    expect(PER_DIAL.dynamoReadUnits).toBe(12.6);
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'cost.md'), 'utf8');
    expect(doc).toContain('21.1 DynamoDB write units and 12.6 read units');
    expect(doc).toContain('bench/ops.ts');
  });

  it('per-dial costs scale with dials, fixed costs do not; Bland is talk minutes at the tier rate plus its platform fee', () => {
    const small = estimateCost({ leads: 1000, dialsPerLeadPerDay: 8, avgCallSeconds: 60, blandTier: 'scale' });
    const big = estimateCost({ leads: 100_000, dialsPerLeadPerDay: 8, avgCallSeconds: 60, blandTier: 'scale' });
    const line = (e: typeof small, item: string) => e.aws.find((l) => l.item === item)!.perDayUsd;
    expect(line(big, 'DynamoDB on-demand') / line(small, 'DynamoDB on-demand')).toBeCloseTo(100, 6);
    expect(line(big, 'CloudWatch metrics, alarms, dashboard')).toBe(line(small, 'CloudWatch metrics, alarms, dashboard'));
    expect(small.blandPerDayUsd).toBeCloseTo(8000 * 0.11 + 499 / 30.4, 6);
    expect(small.totalPerDayUsd).toBeCloseTo(small.awsPerDayUsd + small.blandPerDayUsd, 9);
  });
});

describe('npx redial cost', () => {
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await mainAsync(['cost', ...argv], undefined, (l) => out.push(l), (l) => err.push(l));
    return { code, out, err: err.join('\n') };
  };

  it('prints AWS per service and Bland, per day and per dial, with the price date', async () => {
    const { code, out } = await run('--leads', '10000', '--avg-call-seconds', '30');
    expect(code).toBe(0);
    expect(out[0]).toBe('10000 open leads x 8 dials a day = 80000 dials a day; 30 s average call; Bland start tier');
    expect(out).toContainEqual(expect.stringMatching(/^Bland \(start\)\s+\$5600\.00\s+\$0\.070000$/));
    expect(out).toContainEqual(expect.stringMatching(/^AWS total\s+\$\d+\.\d\d\s+\$0\.0000\d\d$/));
    expect(out.at(-1)).toContain('retrieved 2026-11-24');
    const json = await run('--leads', '10000', '--avg-call-seconds', '30', '--json');
    const parsed = JSON.parse(json.out[0]!) as { dialsPerDay: number; blandPerDayUsd: number };
    expect(parsed.dialsPerDay).toBe(80_000);
    expect(parsed.blandPerDayUsd).toBeCloseTo(5600, 6);
  });

  it('refuses what it cannot price, naming the option', async () => {
    expect(await run()).toMatchObject({ code: 2, err: expect.stringContaining('cost needs --leads') });
    expect(await run('--leads', 'many')).toMatchObject({ code: 2, err: expect.stringContaining('--leads: "many" is not a number') });
    expect(await run('--leads', '5', '--bland-tier', 'gold')).toMatchObject({ code: 2, err: expect.stringContaining('--bland-tier: "gold"') });
  });
});
