import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BlockEntry, BlockKind } from '../../domain/blocklist';
import type { BlockList } from '../../ports/blocklist';
import { isConditionFailure, queryAll } from './lead-store.dynamodb';

/**
 * The blocklist in the lead table: pk BLOCKLIST, sk `number#+1...`, `areaCode#212`, `prefix#+1212555`. A dial reads the
 * number's item and the (few) area-code and prefix items: two requests, no scan.
 */
const PK = 'BLOCKLIST';
const sk = (kind: BlockKind, value: string) => `${kind}#${value}`;

function toEntry(item: Record<string, unknown>): BlockEntry {
  const { pk: _pk, sk: _sk, ...entry } = item;
  return entry as unknown as BlockEntry;
}

export class DynamoBlockList implements BlockList {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async add(entry: BlockEntry): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: PK, sk: sk(entry.kind, entry.value), ...entry } }));
  }

  async remove(kind: BlockKind, value: string): Promise<boolean> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: PK, sk: sk(kind, value) }, ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async list(): Promise<BlockEntry[]> {
    const items = await queryAll(this.doc, this.tableName, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK }, ConsistentRead: true });
    return items.map(toEntry);
  }

  async entriesFor(phone: string): Promise<BlockEntry[]> {
    const [own, areaCodes, prefixes] = await Promise.all([
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: PK, sk: sk('number', phone) }, ConsistentRead: true })),
      queryAll(this.doc, this.tableName, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :k)', ExpressionAttributeValues: { ':pk': PK, ':k': 'areaCode#' }, ConsistentRead: true }),
      queryAll(this.doc, this.tableName, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :k)', ExpressionAttributeValues: { ':pk': PK, ':k': 'prefix#' }, ConsistentRead: true }),
    ]);
    return [...(own.Item ? [toEntry(own.Item)] : []), ...areaCodes.map(toEntry), ...prefixes.map(toEntry)];
  }
}
