import { ConditionalCheckFailedException, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Lead } from '../../domain/lead';
import { leadCountsDelta, reportingDate } from '../../domain/report-counts';
import type { CountsByDate, ReportStore } from '../../ports/reports';
import type { DialMessage } from '../../ports/attempt-scheduler';
import type { ScheduleStore } from '../local/attempt-scheduler.local';
import { VersionConflictError, type AttemptRecord, type CallRecord, type LeadStore } from '../../ports/lead-store';
import type { ParkedCrmWrite, ParkedCrmWrites } from '../../ports/crm-outbox';

/**
 * LeadStore on one DynamoDB table (docs/architecture.md, data model):
 *   Lead     pk LEAD#<E.164>  sk LEAD                 + dueShard/dueAt (GSI `due`) while a attempt is pending
 *   Attempt  pk LEAD#<E.164>  sk CALL#<iso>#<callId>
 *   Call     pk CALL#<callId> sk CALL
 *   Stats    pk STATS#<date>  sk COUNTS                call counters of a reporting day, by ADD
 *   Cohort   pk COHORTS       sk <date>                leads created that reporting day, by state (leadCountsDelta)
 * Only single-item conditional writes (no transactions): they are what DynamoDB and dynalite both guarantee.
 */

export const DUE_SHARDS = 4;

const leadKey = (phone: string) => ({ pk: `LEAD#${phone}`, sk: 'LEAD' });
const callKey = (callId: string) => ({ pk: `CALL#${callId}`, sk: 'CALL' });

function shardOf(phone: string): string {
  let h = 0;
  for (const c of phone) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `ACTIVE#${h % DUE_SHARDS}`;
}

/** The stored item: the lead plus its keys and, while an attempt is pending, the `due` index attributes. */
function toItem(lead: Lead): Record<string, unknown> {
  const pending = lead.status === 'ACTIVE' && lead.nextAttemptAt !== null;
  return {
    ...lead,
    ...leadKey(lead.phone),
    kind: 'lead',
    // In the cohort counters (set on every write): an item stored before them is counted in full at its next write.
    counted: true,
    ...(pending ? { dueShard: shardOf(lead.phone), dueAt: new Date(lead.nextAttemptAt!).toISOString() } : {}),
  };
}

function fromItem(item: Record<string, unknown>): Lead {
  const { pk: _pk, sk: _sk, kind: _kind, dueShard: _shard, dueAt: _due, counted: _counted, ...lead } = item;
  return lead as unknown as Lead;
}

export const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';

export function documentClientFrom(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function makeDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return documentClientFrom(new DynamoDBClient(config));
}

/** Every item a query returns, following pages, up to `limit` items. */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>,
  limit = Infinity,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({
      ...input,
      TableName: tableName,
      ExclusiveStartKey: start,
      ...(Number.isFinite(limit) ? { Limit: limit - items.length } : {}),
    }));
    items.push(...(page.Items ?? []));
    start = items.length < limit ? page.LastEvaluatedKey : undefined;
  } while (start);
  return items;
}

export interface DynamoLeadStoreOptions {
  /** Zone whose calendar days the cohort counters use (config.reporting.zone). */
  readonly reportingZone?: string;
  /** A cohort counter write failed after its lead write succeeded (logged and counted; never thrown). */
  readonly onCounterError?: (error: Error) => void;
}

export class DynamoLeadStore implements LeadStore, ReportStore, ScheduleStore, ParkedCrmWrites {
  private readonly reportingZone: string;
  private readonly onCounterError: (error: Error) => void;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoLeadStoreOptions = {},
  ) {
    this.reportingZone = options.reportingZone ?? 'America/New_York';
    this.onCounterError = options.onCounterError ?? (() => undefined);
  }

  /**
   * Moves a lead between the cohort counters of its creation day. One more write after the lead's own (DynamoDB and
   * dynalite share no transaction API): a crash between the two leaves that one lead in its old bucket. A failure of
   * this write is reported, never thrown: the lead write has happened, and its caller must go on (schedule, answer).
   */
  private async countLeadChange(before: Lead | null, after: Lead): Promise<void> {
    try {
      await this.addCounts({ pk: 'COHORTS', sk: reportingDate(this.reportingZone, after.createdAt) }, leadCountsDelta(before, after));
    } catch (error) {
      this.onCounterError(error as Error);
    }
  }

  private async addCounts(key: { pk: string; sk: string }, counts: Readonly<Record<string, number>>): Promise<void> {
    const names = Object.keys(counts);
    if (names.length === 0) return;
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: key,
      UpdateExpression: `ADD ${names.map((_, i) => `#m${i} :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#m${i}`, n])),
      ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, counts[n]])),
    }));
  }

  private queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit'>, limit = Infinity): Promise<Record<string, unknown>[]> {
    return queryAll(this.doc, this.tableName, input, limit);
  }


  async get(phone: string): Promise<Lead | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: leadKey(phone), ConsistentRead: true }));
    return Item ? fromItem(Item) : null;
  }

  async create(lead: Lead): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: toItem({ ...lead, version: 1 }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      await this.countLeadChange(null, lead);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async update(lead: Lead): Promise<Lead> {
    const next: Lead = { ...lead, version: lead.version + 1 };
    let old: Record<string, unknown> | undefined;
    try {
      ({ Attributes: old } = await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: toItem(next),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': lead.version },
        ReturnValues: 'ALL_OLD',
      })));
    } catch (error) {
      if (isConditionFailure(error)) throw new VersionConflictError(lead.phone, lead.version);
      throw error;
    }
    // An item written before the counters existed was never counted: count it in full now, subtract nothing.
    await this.countLeadChange(old && old['counted'] === true ? fromItem(old) : null, next);
    return next;
  }

  async claim(phone: string, token: string, now: number): Promise<Lead | null> {
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: leadKey(phone),
        UpdateExpression: 'SET claimedToken = :t, claimedAt = :now, updatedAt = :now, version = version + :one',
        ConditionExpression: 'scheduleToken = :t AND #status = :active AND (attribute_not_exists(claimedToken) OR claimedToken <> :t)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':t': token, ':now': now, ':one': 1, ':active': 'ACTIVE' },
        ReturnValues: 'ALL_NEW',
      }));
      return Attributes ? fromItem(Attributes) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async putCall(call: CallRecord): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...call, ...callKey(call.callId), kind: 'call' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getCall(callId: string): Promise<CallRecord | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: callKey(callId), ConsistentRead: true }));
    if (!Item) return null;
    const { pk: _pk, sk: _sk, kind: _kind, ...call } = Item;
    return call as CallRecord;
  }

  async markOutcomeRecorded(callId: string): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: callKey(callId),
        UpdateExpression: 'SET outcomeRecorded = :yes',
        ConditionExpression: 'attribute_exists(pk) AND outcomeRecorded = :no',
        ExpressionAttributeValues: { ':yes': true, ':no': false },
      }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async putAttempt(attempt: AttemptRecord): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...attempt, pk: `LEAD#${attempt.phone}`, sk: `CALL#${new Date(attempt.calledAt).toISOString()}#${attempt.callId}`, kind: 'attempt' },
    }));
  }

  async listAttempts(phone: string): Promise<AttemptRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :call)',
      ExpressionAttributeValues: { ':pk': `LEAD#${phone}`, ':call': 'CALL#' },
    });
    return items.map(({ pk: _pk, sk: _sk, kind: _kind, ...attempt }) => attempt as unknown as AttemptRecord);
  }

  async addDailyCounts(date: string, counts: Readonly<Record<string, number>>): Promise<void> {
    await this.addCounts({ pk: `STATS#${date}`, sk: 'COUNTS' }, counts);
  }

  async reserveDailyCount(date: string, name: string, cap: number): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `STATS#${date}`, sk: 'COUNTS' },
        UpdateExpression: 'ADD #n :one',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :cap',
        ExpressionAttributeNames: { '#n': name },
        ExpressionAttributeValues: { ':one': 1, ':cap': cap },
      }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async getDailyCounts(date: string): Promise<Record<string, number>> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: `STATS#${date}`, sk: 'COUNTS' }, ConsistentRead: true }));
    if (!Item) return {};
    const { pk: _pk, sk: _sk, ...counts } = Item;
    return counts as Record<string, number>;
  }

  // ReportStore: the counters above, read by the reports (a handful of items per report, never a scan).
  async getDailyCountsRange(dates: readonly string[]): Promise<CountsByDate[]> {
    const out: CountsByDate[] = [];
    for (let i = 0; i < dates.length; i += 25) {
      const chunk = dates.slice(i, i + 25);
      out.push(...await Promise.all(chunk.map(async (date) => ({ date, counts: await this.getDailyCounts(date) }))));
    }
    return out;
  }

  async listCohortCounts(from?: string, to?: string): Promise<CountsByDate[]> {
    const range = from !== undefined && to !== undefined;
    const items = await this.queryAll({
      KeyConditionExpression: range ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk',
      ExpressionAttributeValues: range ? { ':pk': 'COHORTS', ':from': from, ':to': to } : { ':pk': 'COHORTS' },
      ConsistentRead: true,
    });
    return items.map(({ pk: _pk, sk, ...counts }) => ({ date: sk as string, counts: counts as Record<string, number> }));
  }

  /** Active leads whose pending attempt is in [from, to): a COUNT query per shard of the `due` index. */
  async countDue(from: number, to: number): Promise<number> {
    let total = 0;
    for (let shard = 0; shard < DUE_SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.doc.send(new QueryCommand({
          TableName: this.tableName,
          IndexName: 'due',
          KeyConditionExpression: 'dueShard = :s AND dueAt BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':s': `ACTIVE#${shard}`, ':from': new Date(from).toISOString(), ':to': new Date(to - 1).toISOString() },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }));
        total += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return total;
  }

  async getSystemPaused(): Promise<boolean> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'SYSTEM', sk: 'STATE' }, ConsistentRead: true }));
    return Item?.['paused'] === true;
  }

  async setSystemPaused(paused: boolean, by: string, now: number): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: 'SYSTEM', sk: 'STATE', paused, by, at: now, kind: 'system' } }));
  }

  /** Oldest-due first within each shard, each shard given an equal share of `limit` so no shard starves. */
  async listDue(before: number, limit = 100): Promise<Lead[]> {
    const perShard = Math.ceil(limit / DUE_SHARDS);
    const leads: Lead[] = [];
    for (let shard = 0; shard < DUE_SHARDS; shard++) {
      const items = await this.queryAll({
        IndexName: 'due',
        KeyConditionExpression: 'dueShard = :s AND dueAt <= :before',
        ExpressionAttributeValues: { ':s': `ACTIVE#${shard}`, ':before': new Date(before).toISOString() },
      }, perShard);
      leads.push(...items.map(fromItem));
    }
    return leads;
  }

  // ScheduleStore: the local scheduler's pending schedules (pk LOCALSCHED), so a restart of the local runtime resumes them.
  async putSchedule(name: string, at: number, message: DialMessage): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: 'LOCALSCHED', sk: name, at, message, kind: 'schedule' } }));
  }

  async deleteSchedule(name: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: 'LOCALSCHED', sk: name } }));
  }

  async listSchedules(): Promise<{ name: string; at: number; message: DialMessage }[]> {
    const items = await this.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'LOCALSCHED' } });
    return items.map((item) => ({ name: item['sk'] as string, at: item['at'] as number, message: item['message'] as DialMessage }));
  }

  // ParkedCrmWrites: CRM writes the CRM could not take (no such lead), pk CRMPARKED, one item per call.
  async parkCrmWrite(write: ParkedCrmWrite): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: 'CRMPARKED', sk: write.message.callId, kind: 'crm-parked', ...write } }));
  }

  async listParkedCrmWrites(): Promise<ParkedCrmWrite[]> {
    const items = await this.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'CRMPARKED' } });
    return items.map((item) => ({ message: item['message'], reason: item['reason'], parkedAt: item['parkedAt'] }) as ParkedCrmWrite);
  }

  async removeParkedCrmWrite(callId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: 'CRMPARKED', sk: callId } }));
  }
}
