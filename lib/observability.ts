import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { awsCostPerDial } from '../lambdas/domain/cost-model';
import { OUTCOMES } from '../lambdas/domain/outcome';
import { callerIdMetric, METRIC, outcomeMetric } from '../lambdas/ports/metrics';

export interface ObservabilityProps {
  /** Every Lambda of the stack, by a readable name. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Dead-letter queues: anything in one is a message the system gave up on. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The dial queue (its backlog and oldest message). */
  readonly dialQueue: IQueue;
  readonly backfill: IStateMachine;
  /** The daily dial target per open lead (config.policy.maxCallsPerDay). */
  readonly dialsPerLeadPerDay: number;
  /** The caller-ID pool (config.callerIds.numbers): one pickup-rate line per number. */
  readonly callerIds?: readonly string[];
  /** Subscribed to the alarm topic when given (a confirmation mail is sent). */
  readonly alarmEmail?: string;
  /** The voice platform's concurrency cap the pacer keeps (config.pacer), and the 5-minute periods of deferrals that alarm. */
  readonly pacer?: { readonly concurrency: number; readonly deferredAlarmPeriods: number };
}

/** The Powertools namespace and default dimension of every redial metric (lambdas/handlers/aws-deps.ts). */
export const METRIC_NAMESPACE = 'Redial';
const DIMENSIONS = { service: 'redial' };

/**
 * What an operator watches (docs/operations.md): one dashboard (volume against the target, outcomes, errors,
 * lateness, queues, Lambda, backfill, cost) and alarms to one SNS topic. Metric names come from lambdas/ports/metrics.ts.
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    // CloudWatch alarms can publish only to a topic whose key lets CloudWatch use it: a customer managed key.
    const key = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'redial alarm topic' });
    key.addToResourcePolicy(new PolicyStatement({
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'redial alarms', masterKey: key, enforceSSL: true });
    // enforceSSL writes a topic policy, and a topic policy replaces the default one: without this statement CloudWatch
    // may not publish, and every alarm would change state and reach no one. Only this account's alarms may.
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(new PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` } },
    }));
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const metric = (name: string, statistic = 'Sum', period = Duration.minutes(5)) =>
      new Metric({ namespace: METRIC_NAMESPACE, metricName: name, dimensionsMap: DIMENSIONS, statistic, period });
    const alarm = (id: string, description: string, m: IMetric, threshold: number, evaluationPeriods = 1, op = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD) => {
      const a = new Alarm(this, id, {
        alarmDescription: description, metric: m, threshold, evaluationPeriods, comparisonOperator: op, treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(a);
      return a;
    };

    // --- Alarms -------------------------------------------------------------------------------------------------
    alarm('DialOutsideWindow', 'A call was placed outside the calling window (must never happen: stop dialing, see docs/operations.md)',
      metric(METRIC.dialsOutsideWindow, 'Sum', Duration.minutes(1)), 1);
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(`${name}NotEmpty`, `${name}: messages the system gave up on (inspect, then redrive)`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), 1);
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      const rate = new MathExpression({
        expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
        usingMetrics: { errors: fn.metricErrors({ period: Duration.minutes(5) }), invocations: fn.metricInvocations({ period: Duration.minutes(5) }) },
        label: `${name} error rate (%)`,
        period: Duration.minutes(5),
      });
      alarm(`${name}ErrorRate`, `${name}: more than 5% of invocations failed over 10 minutes`, rate, 5, 2, ComparisonOperator.GREATER_THAN_THRESHOLD);
    }
    alarm('DialLatenessP99', 'Dials placed more than 5 minutes after their scheduled time (p99 over 15 minutes)',
      metric(METRIC.dialLatenessMs, 'p99', Duration.minutes(15)), 300_000, 1, ComparisonOperator.GREATER_THAN_THRESHOLD);
    alarm('WebhookSignatureFailures', 'More than 20 Bland webhooks with a bad signature in 5 minutes (a leaked URL, or a rotated secret)',
      metric(METRIC.webhookSignatureFailures), 20, 1, ComparisonOperator.GREATER_THAN_THRESHOLD);
    alarm('BackfillExecutionFailed', 'A backfill or reconcile execution failed (resume it: docs/backfill.md)',
      props.backfill.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }), 1);
    alarm('BackfillDatesFailed', 'A backfill date failed after its retries (resume the run: docs/backfill.md)',
      metric(METRIC.backfillDatesFailed), 1);
    const blandErrorRate = new MathExpression({
      expression: 'IF(dials + errors > 0, 100 * errors / (dials + errors), 0)',
      usingMetrics: { errors: metric(METRIC.blandErrors, 'Sum', Duration.minutes(15)), dials: metric(METRIC.dials, 'Sum', Duration.minutes(15)) },
      label: 'Bland error rate (%)',
      period: Duration.minutes(15),
    });
    // The pre-dial Convoso lookup failing closed holds every dial (no call, no error): 30 minutes of it is an outage
    // (or an expired convosoAuthToken) that nothing else would show.
    alarm('DialsHeldCrmUnavailable', 'Dials held because the pre-dial Convoso lookup failed, in two 15-minute periods running (Convoso down, or convosoAuthToken expired: docs/operations.md)',
      metric(METRIC.dialHeldCrmUnavailable, 'Sum', Duration.minutes(15)), 1, 2);
    if (props.pacer) {
      // Demand over the plan: attempts keep waiting for capacity (the business's "200 calls where thousands were due").
      alarm('DialsDeferredForCapacity', `Dials deferred because the Bland plan's capacity was full, in ${props.pacer.deferredAlarmPeriods} 5-minute periods running: demand is over the plan (npx redial report today, npx redial capacity; docs/operations.md)`,
        metric(METRIC.dialDeferredCapacity, 'Sum', Duration.minutes(5)), 1, props.pacer.deferredAlarmPeriods);
      alarm('BlandSpendCapReached', 'The daily Bland spend cap (pacer.dailySpendCapUsd) is reached: no new dial starts until the UTC day turns',
        metric(METRIC.spendCapReached, 'Sum', Duration.minutes(5)), 1);
    }
    alarm('BlandErrorRate', 'More than 10% of dial requests to Bland failed over 15 minutes', blandErrorRate, 10, 1, ComparisonOperator.GREATER_THAN_THRESHOLD);

    // --- Dashboard ----------------------------------------------------------------------------------------------
    const day = Duration.days(1);
    const hour = Duration.hours(1);
    const volume = new GraphWidget({
      title: `Dials per day vs target (${props.dialsPerLeadPerDay} x open leads)`,
      left: [
        metric(METRIC.dials, 'Sum', day).with({ label: 'dials' }),
        new MathExpression({ expression: `${props.dialsPerLeadPerDay} * open`, usingMetrics: { open: metric(METRIC.openLeads, 'Average', day) }, label: 'target', period: day }),
      ],
      width: 12,
    });
    const outcomes = new GraphWidget({
      title: 'Outcomes per hour',
      left: OUTCOMES.map((o) => metric(outcomeMetric(o), 'Sum', hour).with({ label: o })),
      stacked: true,
      width: 12,
    });
    const errors = new GraphWidget({
      title: 'Errors and refusals',
      left: [
        metric(METRIC.blandErrors, 'Sum', hour).with({ label: 'Bland errors' }),
        metric(METRIC.dialRefusedWindow, 'Sum', hour).with({ label: 'refused: window' }),
        metric(METRIC.dialRefusedCap, 'Sum', hour).with({ label: 'refused: daily cap' }),
        metric(METRIC.dialHeldCrmUnavailable, 'Sum', hour).with({ label: 'held: Convoso lookup failed' }),
        metric(METRIC.webhookSignatureFailures, 'Sum', hour).with({ label: 'webhook: bad signature' }),
        metric(METRIC.watchdogRecoveries, 'Sum', hour).with({ label: 'watchdog recoveries' }),
        metric(METRIC.sweeperRecoveries, 'Sum', hour).with({ label: 'sweeper recoveries' }),
        metric(METRIC.dialsOutsideWindow, 'Sum', hour).with({ label: 'dials outside the window (must be 0)' }),
      ],
      width: 12,
    });
    const lateness = new GraphWidget({
      title: 'Dial lateness (ms after the scheduled time)',
      left: ['p50', 'p95', 'p99'].map((p) => metric(METRIC.dialLatenessMs, p, Duration.minutes(15)).with({ label: p })),
      width: 12,
    });
    const queues = new GraphWidget({
      title: 'Queues: dead letters and the dial backlog',
      left: Object.entries(props.deadLetterQueues).map(([name, q]) => q.metricApproximateNumberOfMessagesVisible({ label: name, statistic: 'Maximum' })),
      right: [props.dialQueue.metricApproximateAgeOfOldestMessage({ label: 'dial queue: oldest message (s)', statistic: 'Maximum' })],
      width: 12,
    });
    const lambdas = new GraphWidget({
      title: 'Lambda errors and throttles',
      left: Object.entries(props.functions).flatMap(([name, fn]) => [
        fn.metricErrors({ label: `${name} errors`, period: Duration.minutes(5) }),
        fn.metricThrottles({ label: `${name} throttles`, period: Duration.minutes(5) }),
      ]),
      width: 12,
    });
    const backfill = new GraphWidget({
      title: 'Backfill and reconcile executions',
      left: [
        props.backfill.metricStarted({ label: 'started', period: hour }),
        props.backfill.metricSucceeded({ label: 'succeeded', period: hour }),
        props.backfill.metricFailed({ label: 'failed', period: hour }),
      ],
      right: [metric(METRIC.backfillDatesDone, 'Sum', hour).with({ label: 'dates done' }), metric(METRIC.backfillDatesFailed, 'Sum', hour).with({ label: 'dates failed' })],
      width: 12,
    });
    const contact = new GraphWidget({
      title: 'Texts, inbound calls, mid-call tools',
      left: [
        metric(METRIC.smsSent, 'Sum', hour).with({ label: 'texts sent' }),
        metric(METRIC.inboundCalls, 'Sum', hour).with({ label: 'inbound calls' }),
        metric(METRIC.dialRefusedBlocked, 'Sum', hour).with({ label: 'dials refused: blocklist' }),
        metric('ToolRejected_ApiKey', 'Sum', hour).with({ label: 'tool calls refused: key' }),
      ],
      width: 12,
    });
    // The live cost: Bland's own per-call prices, plus AWS at the modelled cost of one dial (lambdas/domain/cost-model.ts).
    const perDial = awsCostPerDial();
    const cost = new SingleValueWidget({
      title: 'Estimated cost today so far (USD)',
      metrics: [
        metric(METRIC.blandCostUsd, 'Sum', day).with({ label: 'Bland' }),
        new MathExpression({ expression: `dials * ${perDial.toPrecision(6)}`, usingMetrics: { dials: metric(METRIC.dials, 'Sum', day) }, label: 'AWS (modelled per dial)', period: day }),
        new MathExpression({
          expression: `bland + dials * ${perDial.toPrecision(6)}`,
          usingMetrics: { bland: metric(METRIC.blandCostUsd, 'Sum', day), dials: metric(METRIC.dials, 'Sum', day) },
          label: 'total',
          period: day,
        }),
      ],
      width: 12,
    });
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(3) });
    this.dashboard.addWidgets(new TextWidget({
      markdown: '**redial**: alarms go to the SNS topic in the stack outputs. Runbook: docs/operations.md. Kill switch: `npx redial pause`.',
      width: 24, height: 1,
    }));
    this.dashboard.addWidgets(volume, outcomes);
    this.dashboard.addWidgets(errors, lateness);
    this.dashboard.addWidgets(queues, lambdas);
    this.dashboard.addWidgets(backfill, cost);
    if (props.pacer) {
      this.dashboard.addWidgets(new GraphWidget({
        title: `Bland concurrency in use vs the plan's cap (${props.pacer.concurrency}); dials deferred for capacity`,
        left: [metric(METRIC.pacerInFlight, 'Maximum', Duration.minutes(1)).with({ label: 'calls in progress (max)' })],
        leftAnnotations: [{ value: props.pacer.concurrency, label: 'cap' }],
        right: [metric(METRIC.dialDeferredCapacity, 'Sum', Duration.minutes(5)).with({ label: 'deferred for capacity' })],
        width: 24,
      }));
    }
    const pool = props.callerIds ?? [];
    const pickupRates = new GraphWidget({
      title: 'Caller-ID pool: pickup rate per number (%, 6 h)',
      left: pool.map((number, i) => new MathExpression({
        expression: `IF(d${i} > 0, 100 * p${i} / d${i}, 0)`,
        usingMetrics: { [`d${i}`]: metric(callerIdMetric('Dials', number), 'Sum', Duration.hours(6)), [`p${i}`]: metric(callerIdMetric('Pickups', number), 'Sum', Duration.hours(6)) },
        label: number,
        period: Duration.hours(6),
      })),
      width: 12,
    });
    this.dashboard.addWidgets(contact, ...(pool.length > 0 ? [pickupRates] : []));
  }
}
