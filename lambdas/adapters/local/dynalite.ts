import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
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

/**
 * The same engine in a child process (its work on another core), reached over loopback like DynamoDB. Needs tsx (a
 * dependency) to load the server module.
 */
export async function startLocalDynamoProcess(options: { tableName?: string } = {}): Promise<LocalDynamo> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'dynalite-server.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', TABLE: options.tableName ?? 'redial-local' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`dynalite exited ${code}`)));
  });
  const { endpoint, tableName } = JSON.parse(line) as { endpoint: string; tableName: string };
  // dynalite accepts any credentials; these are placeholders, not secrets.
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    endpoint,
    doc: documentClientFrom(client),
    client,
    tableName,
    stop: () => new Promise<void>((resolve) => {
      client.destroy();
      child.removeAllListeners('exit');
      child.on('exit', () => resolve());
      child.stdin.end();
    }),
  };
}
