import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClientFrom } from '../aws/lead-store.dynamodb';
import { ensureTable } from '../aws/table-definition';

/** A real DynamoDB engine in-process (dynalite) on loopback: the local runtime's and the tests' database. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly doc: DynamoDBDocumentClient;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  stop(): Promise<void>;
}

export async function startLocalDynamo(options: { path?: string; tableName?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // dynalite accepts any credentials; these are placeholders, not secrets.
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = documentClientFrom(client);
  const tableName = options.tableName ?? 'redial-local';
  await ensureTable(client, tableName);
  return {
    endpoint,
    doc,
    client,
    tableName,
    stop: () => new Promise<void>((resolve) => {
      client.destroy();
      server.close(() => resolve());
    }),
  };
}
