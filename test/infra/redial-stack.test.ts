import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ACKNOWLEDGED } from '../../lib/nag-suppressions';
import { RedialStack } from '../../lib/redial-stack';
import { definitionFromTemplate } from '../../bin/local-backfill';

// One synthesis for the whole file: bundling four functions with esbuild takes a few seconds.
const app = new App();
const stack = new RedialStack(app, 'Redial', { stage: 'test' });
const template = Template.fromStack(stack);

describe('RedialStack: data', () => {
  it('has one on-demand, encrypted, point-in-time-recoverable table with the due index, retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'due', KeySchema: [{ AttributeName: 'dueShard', KeyType: 'HASH' }, { AttributeName: 'dueAt', KeyType: 'RANGE' }] })],
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) expect(table.Properties.TableName).toBeUndefined();
  });

  it('outputs what an operator pastes after deploy, the secret\'s ARN among them (docs/deploy.md names each)', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(expect.arrayContaining(['AlarmTopicArn', 'ApiUrl', 'BackfillStateMachineArn', 'BlandWebhookUrl', 'LeadsUrl', 'SecretArn', 'TableName']));
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0]!;
    expect(outputs['SecretArn']!['Value']).toEqual({ Ref: secretId });
    const deploy = readFileSync(join(__dirname, '..', '..', 'docs', 'deploy.md'), 'utf8');
    for (const name of Object.keys(outputs)) expect([name, deploy.includes(`\`${name}\``)]).toEqual([name, true]);
  });

  it('archives inbound bodies in a private, encrypted, versioned, SSL-only bucket with access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'archive/' }),
    });
  });
});

describe('RedialStack: functions, queue, scheduler, API', () => {
  it('eight functions, arm64, latest Node, traced, environment without secret values', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Architectures: ['arm64'] } });
    expect(Object.keys(functions)).toHaveLength(8);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['TABLE_NAME', 'SECRET_ARN', 'SCHEDULE_GROUP', 'DIAL_QUEUE_ARN']));
      // Secrets are read from Secrets Manager at run time: only the secret's ARN is in the environment.
      for (const [name, value] of Object.entries(env)) {
        if (/KEY|SECRET|TOKEN|PASSWORD/i.test(name)) expect(name).toBe('SECRET_ARN');
        expect(JSON.stringify(value)).not.toContain('SET-ME');
      }
    }
  });

  it('the dial queue is encrypted, SSL-only, dead-lettered after 5 receives, consumed with partial batch failures', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
  });

  it('the scheduler role may only send messages to the two dial queues and its dead-letter queue', () => {
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] }) });
    const policies = template.findResources('AWS::IAM::Policy');
    const schedulerPolicy = Object.entries(policies).find(([name]) => name.includes('SchedulerRole'))!;
    const statements = schedulerPolicy[1].Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown[] }[];
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('sqs:SendMessage');
    expect(statements[0]!.Resource).toHaveLength(3);
  });

  it('the dialer sets no reserved concurrency (a new account at a limit of 10 or 50 could not create it); it reads both dial queues', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const sources = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map((m) => m.Properties as { EventSourceArn: { 'Fn::GetAtt': string[] }; ScalingConfig?: { MaximumConcurrency: number }; BatchSize: number });
    const of = (queue: string) => sources.find((s) => s.EventSourceArn['Fn::GetAtt'][0]!.startsWith(queue));
    expect(of('DialerDialQueue')).toMatchObject({ BatchSize: 10, ScalingConfig: { MaximumConcurrency: 10 } });
    // The priority lane (fresh leads, callbacks) has pollers of its own, one message to a batch.
    expect(of('DialerDialPriorityQueue')).toMatchObject({ BatchSize: 1, ScalingConfig: { MaximumConcurrency: 2 } });
  });

  it('the redial schedule group, and a sweeper every 5 minutes', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'redial' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('the backfill state machine: Standard, traced, logged, retried 2-32 s, a catch per date and on the phone check, MaxConcurrency from the input', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    const definition = definitionFromTemplate(template.toJSON() as Parameters<typeof definitionFromTemplate>[0]) as unknown as {
      States: Record<string, { Retry?: unknown[]; ItemProcessor?: { States: Record<string, { Retry?: unknown[]; Catch?: { ErrorEquals: string[]; Next: string }[] }> }; MaxConcurrencyPath?: string }>;
    };
    const retry = [
      { ErrorEquals: ['BackfillInputError', 'BackfillConfigError'], MaxAttempts: 0 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 },
    ];
    const dates = definition.States['Dates']!;
    expect(dates.MaxConcurrencyPath).toBe('$.maxConcurrency');
    for (const name of ['Plan', 'Summarize', 'RecordCheckFailure']) expect(definition.States[name]!.Retry).toEqual(retry);
    expect(dates.ItemProcessor!.States['FetchDate']!.Retry).toEqual(retry);
    expect(dates.ItemProcessor!.States['FetchDate']!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]);
    // The phone check, once every date is fetched: retried, and its failure recorded before the summary.
    for (const name of ['MergePhones', 'CheckPhones']) {
      expect(definition.States[name]!.Retry).toEqual(retry);
      expect((definition.States[name] as { Catch?: unknown }).Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordCheckFailure' }]);
    }
  });

  it('the backfill function may only get/put (and list) phone lists under backfill/, and the state machine invokes only it', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const fnPolicy = policies.find(([name]) => name.startsWith('BackfillBackfillFnServiceRole'))!;
    const s3 = (fnPolicy[1].Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).filter((st) => JSON.stringify(st.Action).includes('s3:'));
    expect(s3).toEqual([
      { Action: ['s3:GetObject', 's3:PutObject'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^LeadStoreArchive/), 'Arn'] }, '/backfill/*']] } },
      // A role that may not list where a key would be gets 403 for a missing key: it lists its own prefix only.
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LeadStoreArchive/), 'Arn'] }, Condition: { StringLike: { 's3:prefix': ['backfill/*'] } } },
    ]);
    const smPolicy = policies.find(([name]) => name.startsWith('BackfillStateMachineRole'))!;
    const invoke = (smPolicy[1].Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown[] }[]).find((st) => st.Action === 'lambda:InvokeFunction')!;
    expect(JSON.stringify(invoke.Resource)).toMatch(/BackfillBackfillFn/);
    expect(JSON.stringify(invoke.Resource)).not.toMatch(/DialerFn|SweeperFn|Intake|Webhook/);
  });

  it('a reconcile schedule starts the state machine every 6 hours for the last 2 days, with a role that may only do that', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Input: JSON.stringify({ reconcile: true, lastDays: 2 }) }),
    });
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const reconcile = policies.find(([name]) => name.startsWith('BackfillReconcileRole'))!;
    const statements = reconcile[1].Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[];
    expect(statements).toHaveLength(2);
    expect(statements).toContainEqual({ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^BackfillStateMachine/) } });
    // The only other permission: its failed starts go to the scheduler's dead-letter queue.
    expect(statements).toContainEqual({ Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DialerSchedulerDlq/), 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })] }),
    });
    // Configurable: the same stack with reconcile disabled keeps the schedule, disabled.
    const off = Template.fromStack(new RedialStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Off', { redialConfig: JSON.stringify({ backfill: { reconcile: { enabled: false, everyHours: 12 } } }) }));
    off.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(12 hours)', State: 'DISABLED' });
    const hourly = Template.fromStack(new RedialStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Hourly', { redialConfig: JSON.stringify({ backfill: { reconcile: { everyHours: 1 } } }) }));
    hourly.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)' });
  });

  it('Convoso write-back: an encrypted outbox with a DLQ after 20 receives, consumed with partial batch failures by 2 writers at most; outcome recorders may send to it', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, RedrivePolicy: Match.objectLike({ maxReceiveCount: 20 }), MessageRetentionPeriod: 1_209_600, VisibilityTimeout: 300 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    const withOutbox = functions.filter(([, fn]) => (fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)?.['CRM_OUTBOX_URL']).map(([name]) => name);
    expect(withOutbox.map((n) => n.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['DialerDialerFn', 'DialerSweeperFn', 'WebhooksAdminFn', 'WebhooksBlandWebhookFn', 'WebhooksToolsFn']);
  });

  it('the admin routes exist, each on the admin function (which authenticates with adminApiKey in constant time)', () => {
    const expected = [
      'GET /admin/system', 'POST /admin/system/pause', 'POST /admin/system/resume', 'GET /admin/leads/{phone}', 'GET /admin/crm/parked', 'POST /admin/crm/replay', 'POST /admin/replay',
      'POST /admin/leads/{phone}/pause', 'POST /admin/leads/{phone}/resume', 'POST /admin/leads/{phone}/stop',
      'GET /admin/stats/today', 'GET /admin/reports/breakdown', 'GET /admin/reports/range', 'GET /admin/reports/totals', 'GET /admin/reports/caller-ids',
      'GET /admin/blocklist', 'POST /admin/blocklist', 'POST /admin/blocklist/remove',
    ];
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter((r) => String(r.Properties.RouteKey).includes('/admin'));
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual([...expected].sort());
    // Every admin route integrates the admin function, nothing else (that function checks the key first).
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    for (const route of routes) {
      const targetJson = JSON.stringify(route.Properties.Target);
      const target = Object.keys(integrations).find((id) => targetJson.includes(`"${id}"`));
      expect(target).toBeDefined();
      expect(JSON.stringify(integrations[target!]!.Properties.IntegrationUri)).toMatch(/"WebhooksAdminFn[0-9A-F]{8}"/);
    }
    const secret = template.findResources('AWS::SecretsManager::Secret');
    expect(JSON.stringify(secret)).toContain('adminApiKey');
  });

  it('the HTTP API routes POST /leads and POST /webhooks/bland, throttled and access-logged', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /leads' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhooks/bland' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('one secret for the API keys; the intake key is generated, nothing secret in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ GenerateStringKey: 'intakeApiKey' }) });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no finding beyond the acknowledged ones, each with a reason', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const found = report.violations.map((v) => `AwsSolutions::${v.ruleName}`).sort();
    expect(found).toEqual(ACKNOWLEDGED.map((a) => a.id).sort());
    for (const ack of ACKNOWLEDGED) expect(ack.reason.length).toBeGreaterThan(40);
  });

  it('synthesis with the AwsSolutions pack succeeds (as `npm run synth` does)', () => {
    const synthApp = new App();
    new RedialStack(synthApp, 'Redial');
    Validations.of(synthApp).addPlugins(new AwsSolutionsChecks(synthApp));
    expect(() => synthApp.synth()).not.toThrow();
  });

  it('the check is not vacuous: a table without point-in-time recovery is reported', () => {
    const other = new App();
    const bare = new Stack(other, 'Bare');
    new Table(bare, 'T', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const report = new AwsSolutionsChecks(other).validateScope(bare);
    expect(JSON.stringify(report.violations)).toContain('DDB3');
  });
});
