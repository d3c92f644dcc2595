import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';

/**
 * The table's key schema, shared by the CDK construct (lib/lead-store.ts) and the local runtime / tests on dynalite,
 * so that both always build the same table.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  dueIndex: { name: 'due', partitionKey: 'dueShard', sortKey: 'dueAt' },
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, dueIndex } = TABLE_KEYS;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' },
      { AttributeName: sortKey, AttributeType: 'S' },
      { AttributeName: dueIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: dueIndex.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [{
      IndexName: dueIndex.name,
      KeySchema: [
        { AttributeName: dueIndex.partitionKey, KeyType: 'HASH' },
        { AttributeName: dueIndex.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }],
  };
}

/** Creates the table if it does not exist and waits until it is ACTIVE (local runtime, tests). */
export async function ensureTable(client: DynamoDBClient, tableName: string, timeoutMs = 10_000): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException || (error as { name?: string }).name === 'ResourceInUseException')) throw error;
  }
  // dynalite on disk creates tables asynchronously: requests before ACTIVE fail with ResourceNotFoundException.
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > end) throw new Error(`table ${tableName} is not ACTIVE after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
