import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DateConflictError,
  ZERO_COUNTS,
  type BackfillDate,
  type BackfillRun,
  type BackfillStore,
  type BackfillSummary,
  type DateCounts,
} from '../../ports/backfill';
import { isConditionFailure, queryAll } from './lead-store.dynamodb';

/**
 * BackfillStore on the lead table (docs/architecture.md, data model):
 *   Run      pk RUN#<runId>  sk META
 *   Date     pk RUN#<runId>  sk DATE#<yyyy-mm-dd>   the checkpoint: status, offset, counts (ADD)
 *   Summary  pk RUN#<runId>  sk SUMMARY
 */
const runKey = (runId: string, sk: string) => ({ pk: `RUN#${runId}`, sk });
const COUNT_NAMES = Object.keys(ZERO_COUNTS) as (keyof DateCounts)[];

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

  async markRunStarted(runId: string, at: number): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: runKey(runId, 'META'), UpdateExpression: 'SET startedAt = :at', ExpressionAttributeValues: { ':at': at } }));
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

  async startDate(runId: string, date: string, fetched: { calls: number; unique: number; failed: number }, at: number, dayEnd: number): Promise<void> {
    const item: BackfillDate = { date, status: 'checking', calls: fetched.calls, unique: fetched.unique, offset: 0, error: null, updatedAt: at, ...ZERO_COUNTS, failed: fetched.failed };
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

  async commitChunk(runId: string, date: string, fromOffset: number, toOffset: number, counts: Readonly<DateCounts>, at: number): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: runKey(runId, `DATE#${date}`),
        UpdateExpression: `SET #offset = :to, updatedAt = :at ADD ${COUNT_NAMES.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ConditionExpression: '#offset = :from AND #status = :checking',
        ExpressionAttributeNames: { '#offset': 'offset', '#status': 'status', ...Object.fromEntries(COUNT_NAMES.map((n, i) => [`#c${i}`, n])) },
        ExpressionAttributeValues: { ':to': toOffset, ':from': fromOffset, ':at': at, ':checking': 'checking', ...Object.fromEntries(COUNT_NAMES.map((n, i) => [`:c${i}`, counts[n]])) },
      }));
    } catch (error) {
      if (isConditionFailure(error)) throw new DateConflictError(runId, date);
      throw error;
    }
  }

  async finishDate(runId: string, date: string, at: number): Promise<void> {
    await this.setStatus(runId, date, 'done', null, at);
  }

  async failDate(runId: string, date: string, error: string, at: number): Promise<boolean> {
    try {
      await this.setStatus(runId, date, 'failed', error, at, 'attribute_not_exists(pk) OR #status <> :done');
      return true;
    } catch (failure) {
      if (isConditionFailure(failure)) return false;
      throw failure;
    }
  }

  private async setStatus(runId: string, date: string, status: 'done' | 'failed', error: string | null, at: number, condition?: string): Promise<void> {
    // A date that failed before its list was fetched has no checkpoint yet: the update creates it with zero counts.
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: runKey(runId, `DATE#${date}`),
      UpdateExpression: 'SET #status = :status, #error = :error, updatedAt = :at, #date = :date, kind = :kind, ' +
        `calls = if_not_exists(calls, :zero), #unique = if_not_exists(#unique, :zero), #offset = if_not_exists(#offset, :zero), ${COUNT_NAMES.map((_, i) => `#c${i} = if_not_exists(#c${i}, :zero)`).join(', ')}`,
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error', '#date': 'date', '#unique': 'unique', '#offset': 'offset', ...Object.fromEntries(COUNT_NAMES.map((n, i) => [`#c${i}`, n])) },
      ExpressionAttributeValues: { ':status': status, ':error': error, ':at': at, ':date': date, ':kind': 'backfill-date', ':zero': 0, ...(condition ? { ':done': 'done' } : {}) },
      ...(condition ? { ConditionExpression: condition } : {}),
    }));
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
