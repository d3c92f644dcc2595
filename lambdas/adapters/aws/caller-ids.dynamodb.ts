import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { emptyState, type CallerIdState } from '../../domain/caller-id';
import type { CallerIdStore } from '../../ports/caller-ids';
import { isConditionFailure, queryAll } from './lead-store.dynamodb';

/** Caller-ID states in the lead table: pk CALLERID, sk the number; one query reads the whole pool. */
export class DynamoCallerIdStore implements CallerIdStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  private async all(): Promise<Map<string, { state: CallerIdState; version: number }>> {
    const items = await queryAll(this.doc, this.tableName, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'CALLERID' }, ConsistentRead: true });
    return new Map(items.map((i) => [i['sk'] as string, { state: i['state'] as CallerIdState, version: i['version'] as number }]));
  }

  async states(numbers: readonly string[]): Promise<Map<string, CallerIdState>> {
    const all = await this.all();
    return new Map(numbers.filter((n) => all.has(n)).map((n) => [n, all.get(n)!.state]));
  }

  async update(number: string, change: (state: CallerIdState) => CallerIdState): Promise<CallerIdState> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'CALLERID', sk: number }, ConsistentRead: true }));
      const current = Item ? { state: Item['state'] as CallerIdState, version: Item['version'] as number } : undefined;
      const next = change(current?.state ?? emptyState(number));
      try {
        await this.doc.send(new PutCommand({
          TableName: this.tableName,
          Item: { pk: 'CALLERID', sk: number, state: next, version: (current?.version ?? 0) + 1, kind: 'caller-id' },
          ...(current ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': current.version } } : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }));
        return next;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`caller ID ${number}: too many concurrent updates`);
  }
}
