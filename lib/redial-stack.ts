import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { pacingRules } from '../lambdas/app/pacing';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { parseConfig } from '../lambdas/config/config';
import { Backfill } from './backfill';
import { CrmWriteBack } from './crm-write-back';
import { Dialer } from './dialer';
import { LeadStore } from './lead-store';
import { Observability } from './observability';
import { suppressWithReasons } from './nag-suppressions';
import { WebhooksApi } from './webhooks-api';

export interface RedialStackProps extends StackProps {
  /** Deployment stage, used only in tags (`dev`, `prod`). */
  readonly stage?: string;
  /** Overrides of lambdas/config (JSON), validated at cold start. */
  readonly redialConfig?: string;
  /** Where alarms are mailed (context `alarmEmail`); the SNS topic exists either way. */
  readonly alarmEmail?: string;
}

/**
 * The whole of redial on AWS, one construct per capability: LeadStore (stateful: table, archive), Dialer (queue,
 * schedule group, scheduler role, dialer and sweeper), WebhooksApi (HTTP API, intake and Bland webhook), and one
 * Secrets Manager secret for the API keys (values set by the operator, docs/deploy.md).
 */
export class RedialStack extends Stack {
  readonly leadStore: LeadStore;
  readonly secret: Secret;
  readonly dialer: Dialer;
  readonly webhooks: WebhooksApi;
  readonly backfill: Backfill;
  readonly crmWriteBack: CrmWriteBack;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: RedialStackProps = {}) {
    super(scope, id, props);
    Tags.of(this).add('app', 'redial');
    Tags.of(this).add('stage', props.stage ?? 'dev');
    this.leadStore = new LeadStore(this, 'LeadStore');
    // One JSON secret; the intake key is generated, the others are pasted in by the operator after deploy.
    this.secret = new Secret(this, 'ApiKeys', {
      description: 'redial: blandApiKey, intakeApiKey, webhookSecret, convosoAuthToken, blandPathwayId, blandFrom, adminApiKey, toolsApiKey',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ blandApiKey: 'SET-ME', webhookSecret: null, convosoAuthToken: null, blandPathwayId: null, blandFrom: null, adminApiKey: null, toolsApiKey: null }),
        generateStringKey: 'intakeApiKey',
        passwordLength: 40,
        excludePunctuation: true,
      },
    });
    const environment = {
      TABLE_NAME: this.leadStore.table.tableName,
      ARCHIVE_BUCKET: this.leadStore.archiveBucket.bucketName,
      SECRET_ARN: this.secret.secretArn,
      REDIAL_CONFIG: props.redialConfig ?? '{}',
    };
    // Validated here, so a bad redialConfig fails the synth, not the first cold start.
    const config = parseConfig(JSON.parse(props.redialConfig ?? '{}'));
    this.dialer = new Dialer(this, 'Dialer', { table: this.leadStore.table, secret: this.secret, environment, dispatchConcurrency: config.dialer.dispatchConcurrency });
    this.webhooks = new WebhooksApi(this, 'Webhooks', {
      table: this.leadStore.table,
      archiveBucket: this.leadStore.archiveBucket,
      secret: this.secret,
      dialer: this.dialer,
      environment,
    });
    // The dialer gives Bland the webhook URL of the API.
    this.dialer.dialerFunction.addEnvironment('WEBHOOK_URL', `${this.webhooks.api.apiEndpoint}/webhooks/bland`);
    this.dialer.sweeperFunction.addEnvironment('WEBHOOK_URL', `${this.webhooks.api.apiEndpoint}/webhooks/bland`);
    this.crmWriteBack = new CrmWriteBack(this, 'CrmWriteBack', {
      // The shared composition root reads the scheduling names too (the writer never schedules: no permission for it).
      table: this.leadStore.table, secret: this.secret, environment: { ...environment, ...this.dialer.schedulingEnvironment },
      // The functions that record outcomes (the Bland webhook, the dialer's watchdog, the sweeper's recovered calls), the
      // admin API (replay) and the mid-call tool.
      producers: [this.webhooks.webhookFunction, this.dialer.dialerFunction, this.dialer.sweeperFunction, this.webhooks.adminFunction, this.webhooks.toolsFunction],
    });
    this.backfill = new Backfill(this, 'Backfill', {
      table: this.leadStore.table, bucket: this.leadStore.archiveBucket, secret: this.secret, dialer: this.dialer, environment, config: config.backfill,
    });
    this.backfill.fn.addEnvironment('WEBHOOK_URL', `${this.webhooks.api.apiEndpoint}/webhooks/bland`);
    new CfnOutput(this, 'BackfillStateMachineArn', { value: this.backfill.stateMachine.stateMachineArn, description: 'npx redial backfill ... --aws (REDIAL_STATE_MACHINE_ARN)' });
    this.observability = new Observability(this, 'Observability', {
      functions: {
        Intake: this.webhooks.intakeFunction,
        BlandWebhook: this.webhooks.webhookFunction,
        Admin: this.webhooks.adminFunction,
        Tools: this.webhooks.toolsFunction,
        Dialer: this.dialer.dialerFunction,
        Sweeper: this.dialer.sweeperFunction,
        CrmWriter: this.crmWriteBack.writerFunction,
        Backfill: this.backfill.fn,
      },
      deadLetterQueues: { DialDlq: this.dialer.deadLetterQueue, SchedulerDlq: this.dialer.schedulerDeadLetterQueue, CrmOutboxDlq: this.crmWriteBack.deadLetterQueue },
      dialQueue: this.dialer.queue,
      backfill: this.backfill.stateMachine,
      dialsPerLeadPerDay: config.policy.maxCallsPerDay,
      callerIds: config.callerIds.numbers.map((n) => n.number),
      alarmEmail: props.alarmEmail,
      ...(config.pacer.enabled ? { pacer: { concurrency: pacingRules(config).limits.concurrency, deferredAlarmPeriods: config.pacer.deferredAlarmPeriods } } : {}),
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn, description: 'Alarms are published here: subscribe a mail or a pager' });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName, description: 'CloudWatch > Dashboards' });
    new CfnOutput(this, 'TableName', { value: this.leadStore.table.tableName, description: 'REDIAL_TABLE_NAME for the CLI against AWS' });
    new CfnOutput(this, 'SecretArn', { value: this.secret.secretArn, description: 'The API keys secret: aws secretsmanager put-secret-value --secret-id <this> (docs/deploy.md)' });
    suppressWithReasons(this);
  }
}
