import type { LocalDynamo } from '../../lambdas/adapters/local/dynalite';

/**
 * The environment the CDK constructs give every function, for running the real composition root in a test: DynamoDB
 * is dynalite (AWS_ENDPOINT_URL_DYNAMODB), the ARNs are placeholders for clients mocked at the SDK, and the calling
 * window's business hours are every day and hour (legal hours still apply: pin the wall clock, test/support/wall-clock).
 * `extra` adds or overrides variables (the simulators' URLs...).
 */
export function lambdaEnv(dynamo: LocalDynamo, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    TABLE_NAME: dynamo.tableName, ARCHIVE_BUCKET: 'archive', SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:redial',
    SCHEDULE_GROUP: 'redial', DIAL_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:dial', SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/s',
    SCHEDULER_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:dlq',
    REDIAL_CONFIG: JSON.stringify({ window: { business: { start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] }, federalHolidayBlackout: false, automatedVoiceRules: false }, dialer: { preDialCrmCheck: false } }),
    ...extra,
  };
}
