import { Validations, type Stack } from 'aws-cdk-lib';

/**
 * cdk-nag AwsSolutions findings acknowledged on purpose, each with its reason. Everything else fails synthesis
 * (bin/redial.ts) and the infra test. Ids are the exact finding ids cdk-nag prints.
 */
export const ACKNOWLEDGED: readonly { id: string; reason: string }[] = [
  {
    id: 'AwsSolutions::AwsSolutions-APIG4',
    reason: 'Zapier and Bland cannot sign IAM or Cognito requests. POST /leads checks X-API-Key and POST /webhooks/bland checks the HMAC-SHA256 signature, both in constant time in the function, after archiving the raw body; the stage is throttled.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments/PutTelemetryRecords (and the state machine X-Ray sampling and CloudWatch Logs delivery calls) accept no resource-level permissions.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/redial/*]',
    reason: 'One one-off schedule per attempt is created at run time with a name derived from the attempt token; the grant is limited to the redial schedule group.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<LeadStoreArchive76CF7FCB.Arn>/inbound/*]',
    reason: 'Inbound bodies are archived one object per request, keyed at run time: the public routes may only PutObject, replay (admin API) may only GetObject, both under inbound/ only.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<LeadStoreArchive76CF7FCB.Arn>/backfill/*]',
    reason: 'The backfill writes and reads one phone list per run and date, keyed at run time; GetObject/PutObject only, under backfill/ only.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<BackfillBackfillFn1000EB08.Arn>:*]',
    reason: 'The state machine may invoke the backfill function and its versions (the `:*` qualifier CDK grants for LambdaInvoke); no other function.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-SMG4',
    reason: 'The secret holds third-party API keys (Bland, Convoso) and the Zapier/Bland shared secrets, which those services cannot rotate automatically; rotation is a documented manual step.',
  },
  {
    id: 'AwsSolutions::AwsSolutions-SQS3',
    reason: 'The queue flagged is itself the dead-letter queue of the EventBridge Scheduler targets (Target.DeadLetterConfig), which cdk-nag cannot see as a redrive target.',
  },
];

export function suppressWithReasons(stack: Stack): void {
  for (const ack of ACKNOWLEDGED) Validations.of(stack).acknowledge(ack);
}
