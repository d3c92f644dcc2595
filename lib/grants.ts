import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { TABLE_KEYS } from '../lambdas/adapters/aws/table-definition';

/**
 * Grants narrower than CDK's `grantReadWriteData` / `grantPut` / `grantRead`, each the exact calls the adapters make
 * (test/infra/least-privilege.test.ts holds every role to them).
 */

/** The item calls the DynamoDB adapters send (lambdas/adapters/aws/*.dynamodb.ts): never a scan, batch or stream read. */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

/** The live loop's access: read, write and query items. Deleting (blocklist removal, CRM replay) is the admin's alone. */
export const LOOP_TABLE_ACTIONS: readonly TableAction[] = ['GetItem', 'PutItem', 'UpdateItem', 'Query'];

/** `actions` on the table; with `dueIndex`, Query on the `due` index too (the sweeper, the admin's resume and reports). */
export function grantTable(fn: IGrantable, table: ITable, actions: readonly TableAction[], options: { dueIndex?: boolean } = {}): void {
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }));
  if (options.dueIndex) {
    fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${TABLE_KEYS.dueIndex.name}`] }));
  }
}

/**
 * The pacer's waiting room (lambdas/adapters/aws/dial-capacity.dynamodb.ts): a freed slot takes its waiter out by
 * DeleteItem, and an attempt admitted by its own message leaves the room. Only items of partition PACER may be
 * deleted (dynamodb:LeadingKeys): no lead, call or blocklist entry.
 */
export function grantWaitingRoom(fn: IGrantable, table: ITable): void {
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({
    actions: ['dynamodb:DeleteItem'],
    resources: [table.tableArn],
    conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['PACER'] } },
  }));
}

/** Writing raw inbound bodies: one PutObject per body under `inbound/` (lambdas/adapters/aws/archive.s3.ts); no read, no delete. */
export function grantArchivePut(fn: IGrantable, bucket: IBucket): void {
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('inbound/*')] }));
}

/** Reading the secret's value at cold start (Powertools getSecret sends GetSecretValue only; no DescribeSecret). */
export function grantSecretValue(fn: IGrantable, secret: ISecret): void {
  fn.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
  // A secret under a customer managed key (none today: the account's aws/secretsmanager key) needs its decrypt too.
  secret.encryptionKey?.grantDecrypt(fn);
}
