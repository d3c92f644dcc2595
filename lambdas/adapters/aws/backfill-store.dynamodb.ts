import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  COUNT_NAMES,
  DateConflictError,
  ZERO_COUNTS,
  type BackfillDate,
  type BackfillRun,
  type BackfillStore,
  type BackfillSummary,
  type PhoneCheck,
  type PhoneCounts,
} from '../../ports/backfill';
import { isConditionFailure, queryAll } from './lead-store.dynamodb';

/**
 * BackfillStore on the lead table (docs/architecture.md, data model):
 *   Run      pk RUN#<runId>  sk META
 *   Date     pk RUN#<runId>  sk DATE#<yyyy-mm-dd>   fetched (calls, unique, invalid) or failed
 *   Check    pk RUN#<runId>  sk CHECK                the phone check's checkpoint: status, offset, counts (ADD)
 *   Summary  pk RUN#<runId>  sk SUMMARY
 */
const runKey = (runId: string, sk: string) => ({ pk: `RUN#${runId}`, sk });
const CHECK = 'CHECK';

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, kind: _kind, ...rest } = item;
  return rest as T;
}

export class DynamoBackfillStore implements BackfillStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createRun(run: BackfillRun): Promise<boolean> {
    try {
      // `kind` names the item type in this table: the run's own kind is kept as runKind.
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...run, runKind: run.kind, ...runKey(run.runId, 'META'), kind: 'run' }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getRun(runId: string): Promise<BackfillRun | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: runKey(runId, 'META'), ConsistentRead: true }));
    if (!Item) return null;
    const { runKind, ...run } = strip<Record<string, unknown>>(Item);
    return { ...run, kind: runKind } as BackfillRun;
  }

  async markRunStarted(runId: string, at: number, wallAt: number, maxConcurrency: number): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName, Key: runKey(runId, 'META'),
      UpdateExpression: 'SET startedAt = :at, wallStartedAt = :wall, maxConcurrency = :mc',
      ExpressionAttributeValues: { ':at': at, ':wall': wallAt, ':mc': maxConcurrency },
    }));
  }

  async listDates(runId: string): Promise<BackfillDate[]> {
    const items = await queryAll(this.doc, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :date)',
      ExpressionAttributeValues: { ':pk': `RUN#${runId}`, ':date': 'DATE#' },
      ConsistentRead: true,
    });
    return items.map((item) => strip<BackfillDate>(item));
  }

  async getDate(runId: string, date: string): Promise<BackfillDate | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: runKey(runId, `DATE#${date}`), ConsistentRead: true }));
    return Item ? strip<BackfillDate>(Item) : null;
  }

  async recordDate(runId: string, date: string, fetched: { calls: number; unique: number; invalid: number }, at: number, wallAt: number, dayEnd: number): Promise<void> {
    const item: BackfillDate = { date, status: 'done', ...fetched, error: null, updatedAt: at, wallAt };
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...item, ...runKey(runId, `DATE#${date}`), kind: 'backfill-date' },
        ConditionExpression: 'attribute_not_exists(pk) OR #status <> :done OR updatedAt < :dayEnd',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done', ':dayEnd': dayEnd },
      }));
    } catch (error) {
      if (isConditionFailure(error)) throw new DateConflictError(runId, date);
      throw error;
    }
  }

  async failDate(runId: string, date: string, error: string, at: number): Promise<boolean> {
    try {
      // A date that failed before its list was fetched has no item yet: the update creates it with zero counts.
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(runId, `DATE#${date}`),
        UpdateExpression: 'SET #status = :failed, #error = :error, updatedAt = :at, #date = :date, kind = :kind, ' +
          'calls = if_not_exists(calls, :zero), #unique = if_not_exists(#unique, :zero), invalid = if_not_exists(invalid, :zero)',
        ConditionExpression: 'attribute_not_exists(pk) OR #status <> :done',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error', '#date': 'date', '#unique': 'unique' },
        ExpressionAttributeValues: { ':failed': 'failed', ':done': 'done', ':error': error, ':at': at, ':date': date, ':kind': 'backfill-date', ':zero': 0 },
      }));
      return true;
    } catch (failure) {
      if (isConditionFailure(failure)) return false;
      throw failure;
    }
  }

  async startCheck(runId: string, total: number, at: number, wallAt: number): Promise<PhoneCheck> {
    const fresh: PhoneCheck = { status: 'checking', total, offset: 0, error: null, updatedAt: at, startOffset: 0, wallStartedAt: wallAt, ...ZERO_COUNTS };
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...fresh, ...runKey(runId, CHECK), kind: 'backfill-check' }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return fresh;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // The list is the run's, fixed once made: the check goes on from its offset (a failed one checks again).
    const { Attributes } = await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: runKey(runId, CHECK),
      UpdateExpression: 'SET startOffset = #offset, wallStartedAt = :wall, updatedAt = :at',
      ExpressionAttributeNames: { '#offset': 'offset' },
      ExpressionAttributeValues: { ':wall': wallAt, ':at': at },
      ReturnValues: 'ALL_NEW',
    }));
    const check = strip<PhoneCheck>(Attributes!);
    return check.status === 'failed' ? await this.reopen(runId, at) : check;
  }

  private async reopen(runId: string, at: number): Promise<PhoneCheck> {
    const { Attributes } = await this.doc.send(new UpdateCommand({
      TableName: this.tableName, Key: runKey(runId, CHECK),
      UpdateExpression: 'SET #status = :checking, #error = :none, updatedAt = :at', ConditionExpression: '#status = :failed',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' }, ExpressionAttributeValues: { ':checking': 'checking', ':failed': 'failed', ':none': null, ':at': at },
      ReturnValues: 'ALL_NEW',
    }));
    return strip<PhoneCheck>(Attributes!);
  }

  async getCheck(runId: string): Promise<PhoneCheck | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: runKey(runId, CHECK), ConsistentRead: true }));
    return Item ? strip<PhoneCheck>(Item) : null;
  }

  async commitCheck(runId: string, fromOffset: number, toOffset: number, counts: Readonly<PhoneCounts>, at: number): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(runId, CHECK),
        UpdateExpression: `SET #offset = :to, updatedAt = :at ADD ${COUNT_NAMES.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ConditionExpression: '#offset = :from AND #status = :checking',
        ExpressionAttributeNames: { '#offset': 'offset', '#status': 'status', ...Object.fromEntries(COUNT_NAMES.map((n, i) => [`#c${i}`, n])) },
        ExpressionAttributeValues: { ':to': toOffset, ':from': fromOffset, ':at': at, ':checking': 'checking', ...Object.fromEntries(COUNT_NAMES.map((n, i) => [`:c${i}`, counts[n]])) },
      }));
    } catch (error) {
      if (isConditionFailure(error)) throw new DateConflictError(runId, 'phone check');
      throw error;
    }
  }

  async finishCheck(runId: string, at: number): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName, Key: runKey(runId, CHECK),
      UpdateExpression: 'SET #status = :done, updatedAt = :at', ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':done': 'done', ':at': at },
    }));
  }

  async failCheck(runId: string, error: string, at: number): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName, Key: runKey(runId, CHECK),
        UpdateExpression: 'SET #status = :failed, #error = :error, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :done',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: { ':failed': 'failed', ':done': 'done', ':error': error, ':at': at },
      }));
      return true;
    } catch (failure) {
      if (isConditionFailure(failure)) return false;
      throw failure;
    }
  }

  async putSummary(summary: BackfillSummary): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...summary, runKind: summary.kind, ...runKey(summary.runId, 'SUMMARY'), kind: 'backfill-summary' } }));
  }

  async getSummary(runId: string): Promise<BackfillSummary | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: runKey(runId, 'SUMMARY'), ConsistentRead: true }));
    if (!Item) return null;
    const { runKind, ...summary } = strip<Record<string, unknown>>(Item);
    return { ...summary, kind: runKind } as BackfillSummary;
  }
}
