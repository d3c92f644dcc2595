import prices from './data/unit-prices.json';

/**
 * What redial costs to run, from the published unit prices in data/unit-prices.json (sources there) and the AWS
 * operations one dial makes: the DynamoDB units as counted by bench/ops.ts (production wiring), the rest from the
 * code paths (dial-lead, record-call-outcome, crm write-back). An estimate: no free tier, no discounts, us-east-1
 * list prices. docs/cost.md explains each figure.
 */

export type BlandTier = keyof typeof prices.bland.tiers;
export const BLAND_TIERS = Object.keys(prices.bland.tiers) as BlandTier[];

/** AWS operations of one dial, from scheduling to the CRM write-back. */
export const PER_DIAL = {
  /**
   * Measured by bench/ops.ts (production wiring, 200 leads, 935 dials, 2026-12-07): 17.6 table + 3.5 `due` index
   * units. Dialer: claim, the pacer's slot (taken, freed; its ledger item is over 1 KB), putCall, lead update, day
   * counters. Outcome: attempt, lead, cohort counter, call marked, day counters, the caller ID's tallies. Summaries
   * longer than the pinned fixtures' add a unit or two to the attempt.
   */
  dynamoWriteUnits: 21.1,
  /**
   * Measured by bench/ops.ts (production wiring): lead, kill switch, blocklist, caller-ID pool, the pacer's ledger, the
   * call and the caller ID at the outcome. Strongly consistent reads, one unit each (every item under 4 KB).
   */
  dynamoReadUnits: 12.6,
  /**
   * Schedules that fire into the dial queue: attempts more than 15 minutes out (SQS's delay limit); nearer ones are
   * sent to the queue directly, and the watchdog is deleted unfired when the webhook comes (bench/ops.ts: 0.59).
   */
  schedulerInvocations: 0.6,
  /**
   * Dial queue and outbox send/receive/delete. bench/ops.ts counts 2.27 sends a dial (0.59 by the Scheduler, 0.68 by
   * dialers for near attempts and wakes, 1 into the outbox); receives and deletes are the event source's, batched by
   * up to 10 under load, so 3 a send, 7 in all, is the unbatched ceiling.
   */
  sqsRequests: 7,
  /** Dialer, Bland webhook, CRM writer (the two queue consumers take batches of up to 10: a ceiling too). */
  lambdaInvocations: 3,
  /** Average billed duration of each of them (ms), 512 MB arm64. */
  lambdaMsEach: 250,
  lambdaGb: 0.5,
  /** The Bland webhook. */
  httpApiRequests: 1,
  /** The webhook's raw body, archived. */
  s3Puts: 1,
  /** Log lines and EMF metrics of the three invocations (KB). */
  logKb: 4,
} as const;

/** Fixed monthly items of the deployed stack (counted from lib/: one dashboard, its alarms, one secret, one key). */
export const FIXED = {
  dashboards: 1,
  alarms: 20,
  customMetrics: 45,
  secrets: 1,
  kmsKeys: 1,
  /** The sweeper every 5 minutes, 1 s at 512 MB. */
  sweeperInvocationsPerDay: 288,
  /** The reconcile backfill every 6 hours: about 25 state transitions each. */
  stateTransitionsPerDay: 100,
} as const;

export interface CostInput {
  readonly leads: number;
  readonly dialsPerLeadPerDay: number;
  /** Average billed talk time per call (s), over all calls (most are voicemails and no-answers). */
  readonly avgCallSeconds: number;
  readonly blandTier: BlandTier;
}

export interface CostLine {
  readonly item: string;
  readonly perDayUsd: number;
  readonly perDialUsd: number;
}

export interface CostEstimate {
  readonly input: CostInput;
  readonly dialsPerDay: number;
  readonly aws: readonly CostLine[];
  readonly awsPerDayUsd: number;
  readonly awsPerDialUsd: number;
  readonly blandPerDayUsd: number;
  readonly blandPerDialUsd: number;
  readonly totalPerDayUsd: number;
  readonly sources: readonly string[];
}

const DAYS_PER_MONTH = 30.4;

/** AWS cost of one dial (USD): the figure the dashboard multiplies the live dial count by. */
export function awsCostPerDial(): number {
  const a = prices.aws;
  return PER_DIAL.dynamoWriteUnits * a.dynamoWriteRequestUnit.usd
    + PER_DIAL.dynamoReadUnits * a.dynamoReadRequestUnit.usd
    + PER_DIAL.schedulerInvocations * a.schedulerInvocation.usd
    + PER_DIAL.sqsRequests * a.sqsRequest.usd
    + PER_DIAL.lambdaInvocations * (a.lambdaRequest.usd + (PER_DIAL.lambdaMsEach / 1000) * PER_DIAL.lambdaGb * a.lambdaArmGbSecond.usd)
    + PER_DIAL.httpApiRequests * a.httpApiRequest.usd
    + PER_DIAL.s3Puts * a.s3PutRequest.usd
    + (PER_DIAL.logKb / 1_048_576) * a.cloudwatchLogsIngestGb.usd;
}

/** Bland's cost of one call of `seconds` talk time (billed per minute, pro rata). */
export function blandCostPerCall(seconds: number, tier: BlandTier): number {
  return (seconds / 60) * prices.bland.tiers[tier].talkPerMinute;
}

export function estimateCost(input: CostInput): CostEstimate {
  if (!(input.leads >= 0) || !(input.dialsPerLeadPerDay >= 0) || !(input.avgCallSeconds >= 0)) throw new RangeError('leads, dials per lead per day and call seconds must be 0 or more');
  const a = prices.aws;
  const dials = input.leads * input.dialsPerLeadPerDay;
  const perDial = (item: string, unitCost: number): CostLine => ({ item, perDayUsd: dials * unitCost, perDialUsd: unitCost });
  const fixed = (item: string, perDay: number): CostLine => ({ item, perDayUsd: perDay, perDialUsd: dials > 0 ? perDay / dials : 0 });
  const lambdaEach = a.lambdaRequest.usd + (PER_DIAL.lambdaMsEach / 1000) * PER_DIAL.lambdaGb * a.lambdaArmGbSecond.usd;
  const aws: CostLine[] = [
    perDial('Lambda (dialer, webhook, CRM writer)', PER_DIAL.lambdaInvocations * lambdaEach),
    fixed('Lambda (sweeper)', FIXED.sweeperInvocationsPerDay * (a.lambdaRequest.usd + 1 * 0.5 * a.lambdaArmGbSecond.usd)),
    perDial('DynamoDB on-demand', PER_DIAL.dynamoWriteUnits * a.dynamoWriteRequestUnit.usd + PER_DIAL.dynamoReadUnits * a.dynamoReadRequestUnit.usd),
    perDial('EventBridge Scheduler', PER_DIAL.schedulerInvocations * a.schedulerInvocation.usd),
    perDial('SQS', PER_DIAL.sqsRequests * a.sqsRequest.usd),
    perDial('API Gateway (HTTP API)', PER_DIAL.httpApiRequests * a.httpApiRequest.usd),
    perDial('S3 (archive)', PER_DIAL.s3Puts * a.s3PutRequest.usd),
    fixed('Step Functions (reconcile)', FIXED.stateTransitionsPerDay * a.stepFunctionsStateTransition.usd),
    perDial('CloudWatch logs', (PER_DIAL.logKb / 1_048_576) * a.cloudwatchLogsIngestGb.usd),
    fixed('CloudWatch metrics, alarms, dashboard', (FIXED.customMetrics * a.cloudwatchCustomMetricMonth.usd + FIXED.alarms * a.cloudwatchAlarmMonth.usd + FIXED.dashboards * a.cloudwatchDashboardMonth.usd) / DAYS_PER_MONTH),
    fixed('Secrets Manager, KMS', (FIXED.secrets * a.secretsManagerSecretMonth.usd + FIXED.kmsKeys * a.kmsKeyMonth.usd) / DAYS_PER_MONTH),
  ];
  const awsPerDay = aws.reduce((sum, l) => sum + l.perDayUsd, 0);
  const tier = prices.bland.tiers[input.blandTier];
  const blandPerDial = blandCostPerCall(input.avgCallSeconds, input.blandTier);
  const blandPerDay = dials * blandPerDial + tier.platformPerMonth / DAYS_PER_MONTH;
  const sources = [...new Set([...Object.values(a).map((p) => p.source), prices.bland.source])];
  return {
    input,
    dialsPerDay: dials,
    aws,
    awsPerDayUsd: awsPerDay,
    awsPerDialUsd: dials > 0 ? awsPerDay / dials : 0,
    blandPerDayUsd: blandPerDay,
    blandPerDialUsd: dials > 0 ? blandPerDay / dials : 0,
    totalPerDayUsd: awsPerDay + blandPerDay,
    sources,
  };
}

export const PRICES_RETRIEVED = prices.retrieved;
