import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { S3Client } from '@aws-sdk/client-s3';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { S3Archive } from '../../lambdas/adapters/aws/archive.s3';
import { DEFAULT_CONFIG } from '../../lambdas/config/config';
import { awsDeps } from '../../lambdas/handlers/aws-deps';
import { RedialStack } from '../../lib/redial-stack';

/**
 * Least privilege, secrets and throttling, read from the synthesized template (bundling skipped: only IAM, the
 * environment and the API stage are read). Every role's grants are compared as exact sets: an extra action, resource
 * or a dropped condition fails here and must be added to the table below with its reason.
 */
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new RedialStack(app, 'Redial', { stage: 'test' });
const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const resources = Object.entries(template.Resources);
const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);

/** A logical id without CDK's 8-character hash: `LeadStoreTable327EB776` → `LeadStoreTable`. */
const base = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

/** A resource as a readable string: `LeadStoreTable.Arn/index/due`, `ApiKeys`, `arn:${AWS::Partition}:...`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (typeof v['Ref'] === 'string') return v['Ref'].startsWith('AWS::') ? `\${${v['Ref']}}` : base(v['Ref']);
  if (Array.isArray(v['Fn::GetAtt'])) return `${base(v['Fn::GetAtt'][0] as string)}.${v['Fn::GetAtt'][1] as string}`;
  if (Array.isArray(v['Fn::Join'])) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0] as string);
  throw new Error(`unexpected resource form ${JSON.stringify(value)}`);
}
const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

interface Statement { Effect: string; Action?: string | string[]; Resource?: unknown; Condition?: unknown; NotAction?: unknown; NotResource?: unknown }

/** Every statement that applies to a role: its attached AWS::IAM::Policy documents and inline policies. */
function statementsOf(roleId: string): Statement[] {
  const attached = ofType('AWS::IAM::Policy')
    .filter(([, p]) => list(p.Properties['Roles'] as unknown[]).some((r) => (r as { Ref?: string }).Ref === roleId))
    .flatMap(([, p]) => (p.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement);
  const inline = list(template.Resources[roleId]!.Properties['Policies'] as { PolicyDocument: { Statement: Statement[] } }[])
    .flatMap((p) => p.PolicyDocument.Statement);
  return [...attached, ...inline];
}

/** A role's grants as sorted lines `action resource [if condition]`, one per action and resource. */
function grantsOf(roleId: string): string[] {
  const lines = statementsOf(roleId).flatMap((s) => {
    expect(s.Effect).toBe('Allow');
    expect(s.NotAction ?? s.NotResource).toBeUndefined();
    const condition = s.Condition ? ` if ${JSON.stringify(s.Condition)}` : '';
    return list(s.Action).flatMap((action) => list(s.Resource).map((resource) => `${action} ${render(resource)}${condition}`));
  });
  return [...new Set(lines)].sort();
}

// --- The truth: what each role may do, and why -------------------------------------------------------------------
const TABLE = 'LeadStoreTable.Arn';
const SECRET = 'ApiKeys';
const SCHEDULES = 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/redial/*';
const on = (resource: string, ...actions: string[]) => actions.map((a) => `${a} ${resource}`);

/** Every function: its own log group only, and X-Ray, which accepts no resource-level permission (AWS requires "*"). */
const basics = (fn: string) => [
  ...on(`${fn}Logs.Arn`, 'logs:CreateLogStream', 'logs:PutLogEvents'),
  ...on('*', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'),
];
/** The live loop's table access (the DynamoDB adapters' calls): no Scan, no Batch*, no DeleteItem, no stream reads. */
const LOOP_TABLE = on(TABLE, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
/** The pacer's waiting room: DeleteItem only on partition PACER (a freed slot takes its waiter out). */
const WAITING_ROOM = [`dynamodb:DeleteItem ${TABLE} if {"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["PACER"]}}`];
/** Overdue attempts by time: the sweeper, and the admin's resume and due-in-the-next-hour report. */
const DUE_INDEX = on(`${TABLE}/index/due`, 'dynamodb:Query');
/** The one secret, read at cold start by every function (lambdas/handlers/aws-deps.ts validates it whole). */
const READ_SECRET = on(SECRET, 'secretsmanager:GetSecretValue');
/** Raw inbound bodies, written before parsing: the public routes' functions only, under inbound/ only. */
const ARCHIVE_PUT = on('LeadStoreArchive.Arn/inbound/*', 's3:PutObject');
/** Near attempts into the dial queue; schedules in the redial group; the scheduler role passed to Scheduler only. */
const SCHEDULING = [
  ...on('DialerDialQueue.Arn', 'sqs:SendMessage'),
  ...on('DialerDialPriorityQueue.Arn', 'sqs:SendMessage'),
  ...on(SCHEDULES, 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'),
  'iam:PassRole DialerSchedulerRole.Arn if {"StringEquals":{"iam:PassedToService":"scheduler.amazonaws.com"}}',
];
/** Queueing a CRM write (the URL comes in the environment: no GetQueueUrl). */
const OUTBOX_SEND = on('CrmWriteBackOutbox.Arn', 'sqs:SendMessage');
/**
 * What CDK grants a Lambda SQS event source (the mapping needs Receive/Delete/GetQueueAttributes; ChangeMessageVisibility
 * and GetQueueUrl come with CDK's consume grant and touch only the function's own queue).
 */
const consume = (queue: string) => on(queue, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl');

/** Each Lambda function (logical id without hash) → exactly what its role allows. */
const FUNCTIONS: Record<string, string[]> = {
  // POST /leads: archive, accept (read/write the lead, blocklist query), schedule the first attempt.
  WebhooksIntakeFn: [...basics('WebhooksIntakeFn'), ...LOOP_TABLE, ...ARCHIVE_PUT, ...READ_SECRET, ...SCHEDULING],
  // POST /webhooks/bland(-sms): archive, record outcomes and texts, reschedule, queue CRM writes.
  WebhooksBlandWebhookFn: [...basics('WebhooksBlandWebhookFn'), ...LOOP_TABLE, ...WAITING_ROOM, ...ARCHIVE_PUT, ...READ_SECRET, ...SCHEDULING, ...OUTBOX_SEND],
  // POST /tools/lead-data: archive, update the lead's fields, queue the CRM write; never schedules.
  WebhooksToolsFn: [...basics('WebhooksToolsFn'), ...LOOP_TABLE, ...ARCHIVE_PUT, ...READ_SECRET, ...OUTBOX_SEND],
  // /admin/*: the only deleter (blocklist removal, CRM replay) and index reader besides the sweeper; no archive write.
  WebhooksAdminFn: [
    ...basics('WebhooksAdminFn'), ...LOOP_TABLE, ...on(TABLE, 'dynamodb:DeleteItem'), ...DUE_INDEX, ...READ_SECRET, ...SCHEDULING, ...OUTBOX_SEND,
    // Replay (POST /admin/replay): reads archived inbound bodies back, lists only under inbound/.
    ...on('LeadStoreArchive.Arn/inbound/*', 's3:GetObject'),
    's3:ListBucket LeadStoreArchive.Arn if {"StringLike":{"s3:prefix":["inbound/*"]}}',
  ],
  // The dial queue's consumer: dial, watchdog, texts; reschedules; queues CRM writes from the watchdog.
  DialerDialerFn: [...basics('DialerDialerFn'), ...consume('DialerDialQueue.Arn'), ...consume('DialerDialPriorityQueue.Arn'), ...LOOP_TABLE, ...WAITING_ROOM, ...READ_SECRET, ...SCHEDULING, ...OUTBOX_SEND],
  // Every 5 minutes: overdue attempts from the due index, scheduled again.
  DialerSweeperFn: [...basics('DialerSweeperFn'), ...LOOP_TABLE, ...WAITING_ROOM, ...DUE_INDEX, ...READ_SECRET, ...SCHEDULING, ...OUTBOX_SEND],
  // The outbox's consumer: talks to Convoso; its only table write parks a write the CRM cannot take.
  CrmWriteBackWriterFn: [...basics('CrmWriteBackWriterFn'), ...consume('CrmWriteBackOutbox.Arn'), ...on(TABLE, 'dynamodb:PutItem'), ...READ_SECRET],
  // The backfill steps: runs and leads in the table, its phone lists under backfill/, schedules for enqueued leads.
  BackfillBackfillFn: [
    ...basics('BackfillBackfillFn'), ...LOOP_TABLE, ...on('LeadStoreArchive.Arn/backfill/*', 's3:GetObject', 's3:PutObject'),
    // Listing its own prefix, so a missing artifact reads as absent rather than AccessDenied (s3-missing-keys.test.ts).
    's3:ListBucket LeadStoreArchive.Arn if {"StringLike":{"s3:prefix":["backfill/*"]}}', ...READ_SECRET, ...SCHEDULING,
  ],
};

/** The service roles (assumed by AWS services, not by a function) → exactly what they allow. */
const SERVICE_ROLES: Record<string, { principal: string; grants: string[] }> = {
  // EventBridge Scheduler delivering an attempt: only into the dial queue, failures into its dead-letter queue.
  DialerSchedulerRole: { principal: 'scheduler.amazonaws.com', grants: on('DialerDialQueue.Arn', 'sqs:SendMessage').concat(on('DialerDialPriorityQueue.Arn', 'sqs:SendMessage'), on('DialerSchedulerDlq.Arn', 'sqs:SendMessage')) },
  // The reconcile schedule: start the backfill state machine, failures into the scheduler's dead-letter queue.
  BackfillReconcileRole: { principal: 'scheduler.amazonaws.com', grants: [...on('BackfillStateMachine', 'states:StartExecution'), ...on('DialerSchedulerDlq.Arn', 'sqs:SendMessage')] },
  BackfillStateMachineRole: {
    principal: 'states.amazonaws.com',
    grants: [
      ...on('BackfillBackfillFn.Arn', 'lambda:InvokeFunction'),
      ...on('BackfillBackfillFn.Arn:*', 'lambda:InvokeFunction'),
      // Step Functions' vended log delivery: these CloudWatch Logs calls accept no resource-level permission ("*").
      ...on('*', 'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
        'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'),
      // Tracing: X-Ray accepts no resource-level permission ("*").
      ...on('*', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'),
    ],
  },
};

/** The only actions granted on "*": each is one AWS offers no resource-level permission for (see above). */
const STAR_RESOURCE_ACTIONS = new Set([
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets',
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
]);

const functions = ofType('AWS::Lambda::Function').map(([id, fn]) => ({ id, name: base(id), roleId: (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0], env: ((fn.Properties['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) }));
const roles = ofType('AWS::IAM::Role');
const trustedServices = (roleId: string) => (template.Resources[roleId]!.Properties['AssumeRolePolicyDocument'] as { Statement: { Action: string; Principal: { Service?: string } }[] }).Statement
  .map((s) => `${s.Action} ${s.Principal.Service ?? JSON.stringify(s.Principal)}`);
/** The functions whose role allows `grant` (an exact `action resource` line). */
const whoMay = (grant: string) => functions.filter((f) => grantsOf(f.roleId).includes(grant)).map((f) => f.name).sort();

describe('Least privilege: each function role allows exactly what the function uses', () => {
  it('the table covers every function and every role of the stack, each function with its own role', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    expect(new Set(functions.map((f) => f.roleId)).size).toBe(functions.length);
    expect(roles.map(([id]) => base(id)).sort()).toEqual([...functions.map((f) => base(f.roleId)), ...Object.keys(SERVICE_ROLES)].sort());
    // No users, groups or managed policies of our own; no AWS managed policy on any role (logs are granted per group).
    for (const type of ['AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::AccessKey']) expect(ofType(type)).toEqual([]);
    for (const [, role] of roles) expect(role.Properties['ManagedPolicyArns']).toBeUndefined();
    for (const [, policy] of ofType('AWS::IAM::Policy')) expect(policy.Properties['Users'] ?? policy.Properties['Groups']).toBeUndefined();
  });

  it.each(Object.keys(FUNCTIONS))('%s: exactly its grants, and assumable by Lambda only', (name) => {
    const fn = functions.find((f) => f.name === name)!;
    expect(grantsOf(fn.roleId)).toEqual([...new Set(FUNCTIONS[name]!)].sort());
    expect(trustedServices(fn.roleId)).toEqual(['sts:AssumeRole lambda.amazonaws.com']);
  });

  it.each(Object.keys(SERVICE_ROLES))('%s: exactly its grants, and assumable by its service only', (name) => {
    const [roleId] = roles.find(([id]) => base(id) === name)!;
    expect(grantsOf(roleId)).toEqual([...new Set(SERVICE_ROLES[name]!.grants)].sort());
    expect(trustedServices(roleId)).toEqual([`sts:AssumeRole ${SERVICE_ROLES[name]!.principal}`]);
  });

  it('no role has a wildcard action, and "*" as a resource only for the actions AWS offers no resource-level permission for', () => {
    for (const [roleId] of roles) {
      for (const line of grantsOf(roleId)) {
        const [action, resource] = line.split(' ');
        expect(action).not.toContain('*');
        if (resource === '*') expect(STAR_RESOURCE_ACTIONS).toContain(action);
      }
    }
  });

  it('only the functions that need it may write the table, delete from it, read the due index, or write the archive', () => {
    const loop = ['BackfillBackfillFn', 'DialerDialerFn', 'DialerSweeperFn', 'WebhooksAdminFn', 'WebhooksBlandWebhookFn', 'WebhooksIntakeFn', 'WebhooksToolsFn'];
    expect(whoMay(`dynamodb:UpdateItem ${TABLE}`)).toEqual(loop);
    expect(whoMay(`dynamodb:PutItem ${TABLE}`)).toEqual([...loop, 'CrmWriteBackWriterFn'].sort());
    expect(whoMay(`dynamodb:DeleteItem ${TABLE}`)).toEqual(['WebhooksAdminFn']);
    // Every function that frees a call's slot may take a waiter out of the pacer's room, and nothing else.
    expect(whoMay(WAITING_ROOM[0]!)).toEqual(['DialerDialerFn', 'DialerSweeperFn', 'WebhooksBlandWebhookFn']);
    expect(whoMay(`dynamodb:Query ${TABLE}/index/due`)).toEqual(['DialerSweeperFn', 'WebhooksAdminFn']);
    expect(whoMay(ARCHIVE_PUT[0]!)).toEqual(['WebhooksBlandWebhookFn', 'WebhooksIntakeFn', 'WebhooksToolsFn']);
    // No function may delete anything in a bucket, or list outside inbound/.
    for (const f of functions) expect(grantsOf(f.roleId).filter((g) => /^s3:(Delete|PutBucket|PutLifecycle)|^s3:ListBucket (?!.*s3:prefix)/.test(g))).toEqual([]);
  });

  it('iam:PassRole only on the scheduler role, only to EventBridge Scheduler; only the schedulers may pass it', () => {
    const passes = roles.flatMap(([roleId]) => grantsOf(roleId).filter((g) => g.startsWith('iam:PassRole')));
    expect(new Set(passes)).toEqual(new Set([SCHEDULING[5]]));
    expect(whoMay(SCHEDULING[5]!)).toEqual(['BackfillBackfillFn', 'DialerDialerFn', 'DialerSweeperFn', 'WebhooksAdminFn', 'WebhooksBlandWebhookFn', 'WebhooksIntakeFn']);
  });

  it('no function can read a secret other than the one it uses, and only its value (no DescribeSecret, List*, Put*)', () => {
    expect(ofType('AWS::SecretsManager::Secret').map(([id]) => base(id))).toEqual([SECRET]);
    for (const f of functions) expect(grantsOf(f.roleId).filter((g) => g.startsWith('secretsmanager:') || g.startsWith('ssm:') || g.startsWith('kms:'))).toEqual(READ_SECRET);
  });

  it('each function is invoked only by its source: the API (its own ARN) or the sweeper rule', () => {
    for (const [, permission] of ofType('AWS::Lambda::Permission')) {
      expect(permission.Properties['Action']).toBe('lambda:InvokeFunction');
      expect(['apigateway.amazonaws.com', 'events.amazonaws.com']).toContain(permission.Properties['Principal']);
      expect(render(permission.Properties['SourceArn'])).toMatch(/WebhooksApi|DialerSweepEvery5Min\.Arn/);
    }
  });
});

describe('Least privilege: the grants match the calls the adapters make', () => {
  const adapters = join(__dirname, '..', '..', 'lambdas', 'adapters', 'aws');
  const commandsIn = (file: string) => [...readFileSync(join(adapters, file), 'utf8').matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!);

  it('DynamoDB: the adapters send exactly the item calls granted (a Scan or Batch call would need a grant and this test)', () => {
    const toAction: Record<string, string> = { Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', Query: 'Query' };
    const sent = new Set(readdirSync(adapters).filter((f) => f.endsWith('.dynamodb.ts')).flatMap(commandsIn).map((c) => `dynamodb:${toAction[c] ?? c}`));
    const granted = new Set(functions.flatMap((f) => grantsOf(f.roleId)).filter((g) => g.startsWith('dynamodb:')).map((g) => g.split(' ')[0]));
    expect([...sent].sort()).toEqual([...granted].sort());
  });

  it('EventBridge Scheduler: create, update (a retried create), delete; nothing else', () => {
    expect(new Set(commandsIn('attempt-scheduler.eventbridge.ts'))).toEqual(new Set(['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule']));
  });

  it('the archive writes under inbound/, the prefix the PutObject grant allows', async () => {
    const keys: string[] = [];
    const client = { send: async (command: { input: { Key: string } }) => { keys.push(command.input.Key); return {}; } } as unknown as S3Client;
    const key = await new S3Archive(client, 'archive').put('/leads', Date.UTC(2026, 10, 24, 16, 1), 'application/json', '{}');
    expect(keys).toEqual([key]);
    expect(key.startsWith('inbound/')).toBe(true);
  });
});

describe('Secrets only at run time', () => {
  /** Literal values allowed in a function's environment: none of them secret. */
  const LITERALS: Record<string, (v: string) => boolean> = {
    NODE_OPTIONS: (v) => v === '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: (v) => v === 'redial',
    SCHEDULE_GROUP: (v) => v === 'redial',
    REDIAL_CONFIG: (v) => v === '{}',
  };
  /** Values that are references to resources: names, ARNs, URLs; never a value of the secret. */
  const REFERENCES: Record<string, RegExp> = {
    TABLE_NAME: /^LeadStoreTable$/,
    ARCHIVE_BUCKET: /^LeadStoreArchive$/,
    SECRET_ARN: /^ApiKeys$/, // Ref of AWS::SecretsManager::Secret is its ARN
    DIAL_QUEUE_ARN: /^DialerDialQueue\.Arn$/,
    DIAL_QUEUE_URL: /^DialerDialQueue$/, // Ref of an AWS::SQS::Queue is its URL
    DIAL_PRIORITY_QUEUE_ARN: /^DialerDialPriorityQueue\.Arn$/,
    DIAL_PRIORITY_QUEUE_URL: /^DialerDialPriorityQueue$/,
    SCHEDULER_ROLE_ARN: /^DialerSchedulerRole\.Arn$/,
    SCHEDULER_DLQ_ARN: /^DialerSchedulerDlq\.Arn$/,
    CRM_OUTBOX_URL: /^CrmWriteBackOutbox$/, // Ref of an AWS::SQS::Queue is its URL
    WEBHOOK_URL: /^WebhooksApi\.ApiEndpoint\/webhooks\/bland$/,
  };

  it.each(functions.map((f) => [f.name, f] as const))('%s: every environment variable is a known name, a reference or a non-secret literal', (_name, fn) => {
    for (const [key, value] of Object.entries(fn.env)) {
      if (typeof value === 'string' && LITERALS[key]) expect([key, LITERALS[key]!(value)]).toEqual([key, true]);
      else if (REFERENCES[key]) expect(render(value)).toMatch(REFERENCES[key]!);
      else throw new Error(`${key}: not an expected environment variable (secrets belong in the secret, names in this table)`);
    }
    expect(fn.env['SECRET_ARN']).toEqual({ Ref: expect.stringMatching(/^ApiKeys[0-9A-F]{8}$/) });
  });

  it('the configuration that goes into REDIAL_CONFIG has no place for a secret', () => {
    const keys: string[] = [];
    const walk = (o: unknown, path: string) => {
      if (o && typeof o === 'object' && !Array.isArray(o)) for (const [k, v] of Object.entries(o)) { keys.push(`${path}${k}`); walk(v, `${path}${k}.`); }
    };
    walk(DEFAULT_CONFIG, '');
    expect(keys.filter((k) => /api.?key|secret|token|password|auth/i.test(k))).toEqual([]);
  });

  it('the secret has no value in the template: generated or pasted in after deploy, placeholders only; no SSM parameters', () => {
    const secrets = ofType('AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const secret = secrets[0]![1];
    expect(secret.Properties['SecretString']).toBeUndefined();
    const generate = secret.Properties['GenerateSecretString'] as { GenerateStringKey: string; SecretStringTemplate: string };
    expect(generate.GenerateStringKey).toBe('intakeApiKey');
    for (const value of Object.values(JSON.parse(generate.SecretStringTemplate) as Record<string, unknown>)) expect([null, 'SET-ME']).toContain(value);
    expect(ofType('AWS::SSM::Parameter')).toEqual([]);
  });

  it('the functions read the secret from Secrets Manager at cold start, by the ARN in SECRET_ARN, and nothing from the environment', async () => {
    const sm = mockClient(SecretsManagerClient);
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redial-AbCdEf';
    sm.on(GetSecretValueCommand, { SecretId: secretArn }).resolves({ SecretString: JSON.stringify({ blandApiKey: 'from-secrets-manager', intakeApiKey: 'intake-key-from-secrets-manager' }) });
    try {
      const deps = await awsDeps({
        AWS_REGION: 'us-east-1', TABLE_NAME: 't', ARCHIVE_BUCKET: 'b', SECRET_ARN: secretArn, SCHEDULE_GROUP: 'redial',
        DIAL_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:d', DIAL_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/d', SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/s', SCHEDULER_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:q',
        // Ignored: a key in the environment is never read.
        INTAKE_API_KEY: 'from-the-environment-0123456789', BLAND_API_KEY: 'from-the-environment',
      });
      expect(deps.secrets).toMatchObject({ blandApiKey: 'from-secrets-manager', intakeApiKey: 'intake-key-from-secrets-manager' });
      expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([secretArn]);
    } finally {
      sm.restore();
    }
  });
});

describe('API throttling', () => {
  it('the one HTTP API stage throttles every route (50 requests/s, burst 100) and no route lifts it', () => {
    const stages = ofType('AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const props = stages[0]![1].Properties;
    expect(props['DefaultRouteSettings']).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(props['RouteSettings']).toBeUndefined();
    expect(ofType('AWS::ApiGateway::RestApi')).toEqual([]);
  });
});
