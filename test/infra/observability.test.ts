import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RedialStack } from '../../lib/redial-stack';
import { OUTCOMES } from '../../lambdas/domain/outcome';
import { METRIC } from '../../lambdas/ports/metrics';
import { awsCostPerDial } from '../../lambdas/domain/cost-model';

const app = new App();
const stack = new RedialStack(app, 'Redial', { stage: 'test', alarmEmail: 'ops@example.com' });
const template = Template.fromStack(stack);

type Resource = { Properties: Record<string, unknown> };
const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
const alarm = (idPrefix: string) => {
  const found = Object.entries(alarms).filter(([id]) => id.startsWith(`Observability${idPrefix}`));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0]![1].Properties;
};
const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;

describe('Observability: alarms', () => {
  it('every alarm notifies the one alarm topic, whose key lets CloudWatch publish; the topic is SSL-only and mailed to the operator', () => {
    expect(Object.keys(alarms).length).toBe(1 + 3 + 8 + 6 + 2);
    for (const a of Object.values(alarms)) expect(a.Properties['AlarmActions']).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
  });

  it('CloudWatch may publish to every alarm action\'s topic, for this account\'s alarms only (the SSL-only policy replaces the default one)', () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy') as Record<string, Resource>);
    const allowsCloudWatch = (topicRef: unknown) => policies.some((p) => {
      const topics = p.Properties['Topics'] as unknown[];
      const statements = (p.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] }).Statement;
      return topics.some((t) => JSON.stringify(t) === JSON.stringify(topicRef)) && statements.some((st) =>
        st['Effect'] === 'Allow'
        && JSON.stringify(st['Principal']) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' })
        && [st['Action']].flat().includes('sns:Publish')
        && JSON.stringify(st['Resource']) === JSON.stringify(topicRef)
        && JSON.stringify((st['Condition'] as Record<string, Record<string, unknown>>)?.['StringEquals']?.['aws:SourceAccount']) === JSON.stringify({ Ref: 'AWS::AccountId' }));
    });
    const actions = Object.values(alarms).flatMap((a) => a.Properties['AlarmActions'] as unknown[]);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect([action, allowsCloudWatch(action)]).toEqual([action, true]);
  });

  it('dials deferred for capacity in 3 five-minute periods running alarm (demand over the Bland plan); so does the daily spend cap', () => {
    expect(alarm('DialsDeferredForCapacity')).toMatchObject({ Namespace: 'Redial', MetricName: METRIC.dialDeferredCapacity, Statistic: 'Sum', Period: 300, Threshold: 1, EvaluationPeriods: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarm('BlandSpendCapReached')).toMatchObject({ MetricName: METRIC.spendCapReached, Statistic: 'Sum', Threshold: 1 });
  });

  it('a dial recorded outside the calling window alarms at the first one, per minute', () => {
    expect(alarm('DialOutsideWindow')).toMatchObject({ Namespace: 'Redial', MetricName: METRIC.dialsOutsideWindow, Dimensions: [{ Name: 'service', Value: 'redial' }], Statistic: 'Sum', Period: 60, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
  });

  it.each(['DialDlq', 'SchedulerDlq', 'CrmOutboxDlq'])('%s not empty alarms at one message', (name) => {
    const props = alarm(`${name}NotEmpty`);
    expect(props).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, Statistic: 'Maximum' });
    expect(JSON.stringify(props['Dimensions'])).toMatch(new RegExp(name === 'CrmOutboxDlq' ? 'OutboxDlq' : name));
  });

  it.each(['Intake', 'BlandWebhook', 'Admin', 'Tools', 'Dialer', 'Sweeper', 'CrmWriter', 'Backfill'])('%s error rate over 5%% alarms (errors / invocations)', (name) => {
    const props = alarm(`${name}ErrorRate`);
    expect(props).toMatchObject({ Threshold: 5, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanThreshold' });
    const metrics = props['Metrics'] as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
    expect(metrics.find((m) => m.Expression)!.Expression).toBe('IF(invocations > 0, 100 * errors / invocations, 0)');
    expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.MetricName).sort()).toEqual(['Errors', 'Invocations']);
  });

  it('dial lateness p99 over 5 minutes, webhook signature failures spiking, backfill failures and the Bland error rate alarm', () => {
    expect(alarm('DialLatenessP99')).toMatchObject({ MetricName: METRIC.dialLatenessMs, ExtendedStatistic: 'p99', Threshold: 300_000, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarm('WebhookSignatureFailures')).toMatchObject({ MetricName: 'WebhookRejected_Signature', Statistic: 'Sum', Threshold: 20 });
    expect(alarm('BackfillExecutionFailed')).toMatchObject({ Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Threshold: 1 });
    expect(alarm('BackfillDatesFailed')).toMatchObject({ MetricName: METRIC.backfillDatesFailed, Threshold: 1 });
    expect(alarm('DialsHeldCrmUnavailable')).toMatchObject({ MetricName: METRIC.dialHeldCrmUnavailable, Statistic: 'Sum', Period: 900, Threshold: 1, EvaluationPeriods: 2 });
    const bland = alarm('BlandErrorRate');
    expect(bland).toMatchObject({ Threshold: 10 });
    const names = (bland['Metrics'] as { MetricStat?: { Metric: { MetricName: string } } }[]).filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.MetricName).sort();
    expect(names).toEqual([METRIC.blandErrors, METRIC.dials].sort());
  });
});

describe('Observability: dashboard', () => {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
  // The body is a Fn::Join of JSON text and references (queue names, function names): joined with a placeholder.
  const parts = (dashboards[0]?.Properties['DashboardBody'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const body = parts.map((p) => (typeof p === 'string' ? p : 'REF')).join('');
  const widgets = (JSON.parse(body) as { widgets: { properties: { title?: string } }[] }).widgets;

  it('is one dashboard with volume against the target, outcomes, errors, lateness, DLQs, Lambda, backfill and cost widgets', () => {
    expect(dashboards).toHaveLength(1);
    expect(widgets).toHaveLength(11);
    for (const title of ['Dials per day vs target (8 x open leads)', 'Outcomes per hour', 'Errors and refusals', 'Dial lateness', 'Queues: dead letters', 'Lambda errors and throttles', 'Backfill and reconcile executions', 'Estimated cost today so far (USD)', 'Texts, inbound calls, mid-call tools', "Bland concurrency in use vs the plan's cap (100)"]) {
      expect(body).toContain(title);
    }
  });

  it('draws the metrics the code emits (names from lambdas/ports/metrics.ts), the target from the open-lead gauge, and the AWS queues, functions and state machine', () => {
    for (const name of [METRIC.dials, METRIC.openLeads, METRIC.dialLatenessMs, METRIC.blandCostUsd, METRIC.blandErrors, METRIC.dialRefusedWindow, METRIC.dialsOutsideWindow, METRIC.watchdogRecoveries, METRIC.backfillDatesDone, METRIC.smsSent, METRIC.inboundCalls, METRIC.dialRefusedBlocked, ...OUTCOMES.map((o) => `Outcome_${o}`)]) {
      expect(body).toContain(`"${name}"`);
    }
    expect(body).toContain('8 * open');
    for (const name of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', 'Throttles', 'Errors', 'ExecutionsFailed', 'ExecutionsStarted']) expect(body).toContain(`"${name}"`);
    // The live cost: Bland's per-call prices plus dials at the modelled AWS cost of one dial.
    expect(body).toContain(`"bland + dials * ${awsCostPerDial().toPrecision(6)}"`);
  });
});

describe('Observability: the caller-ID pool on the dashboard', () => {
  it('draws one pickup-rate line per configured number, from the per-number metrics the outcome recorder emits', () => {
    const pooled = Template.fromStack(new RedialStack(new App(), 'Pooled', { redialConfig: JSON.stringify({ callerIds: { numbers: [{ number: '+12125550001' }, { number: '+13055550002' }] } }) }));
    const parts = ((Object.values(pooled.findResources('AWS::CloudWatch::Dashboard'))[0] as Resource).Properties['DashboardBody'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const text = parts.map((p) => (typeof p === 'string' ? p : 'REF')).join('');
    expect(text).toContain('Caller-ID pool: pickup rate per number');
    for (const n of ['12125550001', '13055550002']) {
      expect(text).toContain(`"CallerIdDials_${n}"`);
      expect(text).toContain(`"CallerIdPickups_${n}"`);
    }
  });
});
