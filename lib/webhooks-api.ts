import { CfnOutput, Stack } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Dialer } from './dialer';
import { grantArchivePut, grantSecretValue, grantTable, grantWaitingRoom, LOOP_TABLE_ACTIONS } from './grants';
import { RedialFunction } from './redial-function';

export interface WebhooksApiProps {
  readonly table: Table;
  readonly archiveBucket: Bucket;
  readonly secret: ISecret;
  readonly dialer: Dialer;
  readonly environment: Record<string, string>;
  /** Requests per second across the API (burst is twice this). */
  readonly rateLimit?: number;
}

/**
 * The HTTP API: POST /leads (Zapier, X-API-Key) and POST /webhooks/bland (HMAC signature). Both authenticate in the
 * function, in constant time, after archiving the raw body. Throttled and access-logged at the stage.
 */
export class WebhooksApi extends Construct {
  readonly api: HttpApi;
  readonly intakeFunction: RedialFunction;
  readonly webhookFunction: RedialFunction;
  readonly adminFunction: RedialFunction;
  /** The Bland pathway's mid-call tools (POST /tools/lead-data): `toolsApiKey` from the secret; 503 while unset. */
  readonly toolsFunction: RedialFunction;

  constructor(scope: Construct, id: string, props: WebhooksApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', { description: 'redial webhooks' });
    const environment = {
      ...props.environment,
      SCHEDULE_GROUP: props.dialer.scheduleGroupName,
      DIAL_QUEUE_ARN: props.dialer.queue.queueArn,
      DIAL_QUEUE_URL: props.dialer.queue.queueUrl,
      DIAL_PRIORITY_QUEUE_ARN: props.dialer.priorityQueue.queueArn,
      DIAL_PRIORITY_QUEUE_URL: props.dialer.priorityQueue.queueUrl,
      SCHEDULER_ROLE_ARN: props.dialer.schedulerRole.roleArn,
      SCHEDULER_DLQ_ARN: props.dialer.schedulerDeadLetterQueue.queueArn,
    };
    this.intakeFunction = new RedialFunction(this, 'IntakeFn', { handlerFile: 'intake.handler.ts', environment });
    this.webhookFunction = new RedialFunction(this, 'BlandWebhookFn', { handlerFile: 'bland-webhook.handler.ts', environment });
    // Operators' admin API (kill switch, a lead's view): X-API-Key `adminApiKey` from the secret; 503 while unset.
    this.adminFunction = new RedialFunction(this, 'AdminFn', { handlerFile: 'admin.handler.ts', environment });
    // Also deletes (blocklist removal, CRM replay) and reads the `due` index (resume, the reports' due-in-the-next-hour).
    grantTable(this.adminFunction, props.table, [...LOOP_TABLE_ACTIONS, 'DeleteItem'], { dueIndex: true });
    grantSecretValue(this.adminFunction, props.secret);
    props.dialer.grantScheduling(this.adminFunction);
    // Replay (POST /admin/replay): reads the archived inbound bodies under inbound/, never writes or deletes them.
    this.adminFunction.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [props.archiveBucket.arnForObjects('inbound/*')] }));
    this.adminFunction.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.archiveBucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['inbound/*'] } } }));
    this.toolsFunction = new RedialFunction(this, 'ToolsFn', { handlerFile: 'tools.handler.ts', environment });
    // The tool never schedules: it updates a lead's fields and queues the CRM write.
    for (const fn of [this.intakeFunction, this.webhookFunction, this.toolsFunction]) {
      grantTable(fn, props.table, LOOP_TABLE_ACTIONS);
      grantArchivePut(fn, props.archiveBucket);
      grantSecretValue(fn, props.secret);
    }
    for (const fn of [this.intakeFunction, this.webhookFunction]) props.dialer.grantScheduling(fn);
    // A call's end frees its slot and hands it to the pacer's waiting room.
    grantWaitingRoom(this.webhookFunction, props.table);
    this.api.addRoutes({ path: '/leads', methods: [HttpMethod.POST], integration: new HttpLambdaIntegration('Intake', this.intakeFunction) });
    this.api.addRoutes({ path: '/webhooks/bland', methods: [HttpMethod.POST], integration: new HttpLambdaIntegration('BlandWebhook', this.webhookFunction) });
    this.api.addRoutes({ path: '/webhooks/bland-sms', methods: [HttpMethod.POST], integration: new HttpLambdaIntegration('BlandSmsWebhook', this.webhookFunction) });
    this.api.addRoutes({ path: '/tools/lead-data', methods: [HttpMethod.POST], integration: new HttpLambdaIntegration('Tools', this.toolsFunction) });
    const admin = new HttpLambdaIntegration('Admin', this.adminFunction);
    this.api.addRoutes({ path: '/admin/system', methods: [HttpMethod.GET], integration: admin });
    this.api.addRoutes({ path: '/admin/system/pause', methods: [HttpMethod.POST], integration: admin });
    this.api.addRoutes({ path: '/admin/system/resume', methods: [HttpMethod.POST], integration: admin });
    this.api.addRoutes({ path: '/admin/leads/{phone}', methods: [HttpMethod.GET], integration: admin });
    for (const action of ['pause', 'resume', 'stop']) this.api.addRoutes({ path: `/admin/leads/{phone}/${action}`, methods: [HttpMethod.POST], integration: admin });
    this.api.addRoutes({ path: '/admin/stats/today', methods: [HttpMethod.GET], integration: admin });
    this.api.addRoutes({ path: '/admin/blocklist', methods: [HttpMethod.GET, HttpMethod.POST], integration: admin });
    this.api.addRoutes({ path: '/admin/blocklist/remove', methods: [HttpMethod.POST], integration: admin });
    for (const report of ['breakdown', 'range', 'totals', 'caller-ids']) this.api.addRoutes({ path: `/admin/reports/${report}`, methods: [HttpMethod.GET], integration: admin });
    this.api.addRoutes({ path: '/admin/crm/parked', methods: [HttpMethod.GET], integration: admin });
    this.api.addRoutes({ path: '/admin/crm/replay', methods: [HttpMethod.POST], integration: admin });
    this.api.addRoutes({ path: '/admin/replay', methods: [HttpMethod.POST], integration: admin });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    const rate = props.rateLimit ?? 50;
    stage.defaultRouteSettings = { throttlingRateLimit: rate, throttlingBurstLimit: rate * 2 };
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', route: '$context.routeKey', status: '$context.status', latency: '$context.responseLatency' }),
    };
    // On the stack, so the outputs keep these plain names (`Redial.ApiUrl = ...`), not a construct-path hash.
    const stack = Stack.of(this);
    new CfnOutput(stack, 'LeadsUrl', { value: `${this.api.apiEndpoint}/leads`, description: 'Paste into the Zapier webhook action' });
    new CfnOutput(stack, 'ApiUrl', { value: this.api.apiEndpoint, description: 'npx redial pause|resume|status --url <this> --api-key <adminApiKey>' });
    new CfnOutput(stack, 'BlandWebhookUrl', { value: `${this.api.apiEndpoint}/webhooks/bland`, description: 'Bland call webhook' });
  }
}
