import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../lambdas/adapters/aws/table-definition';

export interface LeadStoreProps {
  /** Keep the table when the stack is deleted (default true: leads are the business's data). */
  readonly retain?: boolean;
}

/**
 * The single DynamoDB table of redial (leads, attempts, call index, daily stats, backfill runs; see
 * docs/architecture.md). Stateful: retained on stack deletion, point-in-time recovery on.
 */
export class LeadStore extends Construct {
  readonly table: Table;
  /** Raw inbound bodies (replayable), retained. */
  readonly archiveBucket: Bucket;
  /** Server access logs of the archive bucket. */
  readonly accessLogBucket: Bucket;

  constructor(scope: Construct, id: string, props: LeadStoreProps = {}) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: props.retain === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    // Sweeper index: active leads by shard, ordered by their next attempt, to find any overdue schedule.
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.dueIndex.name,
      partitionKey: { name: TABLE_KEYS.dueIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.dueIndex.sortKey, type: AttributeType.STRING },
    });
    const removalPolicy = props.retain === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy,
    });
    this.archiveBucket = new Bucket(this, 'Archive', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'archive/',
      // Backfill phone lists are working files of a run: gone after 30 days (older versions with them).
      lifecycleRules: [{ id: 'backfill-working-files', prefix: 'backfill/', expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy,
    });
  }
}
