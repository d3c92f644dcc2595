import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CapacityKeys, CapacityLimit, LaneLimits } from '../../domain/pacing';
import type { DialMessage } from '../../ports/attempt-scheduler';
import type { Acquired, CapacityStore, CapacityUsage, Released, Waiter } from '../../ports/dial-capacity';
import { isConditionFailure } from './lead-store.dynamodb';

/**
 * The capacity ledger as one item of the lead table, pk PACER sk LEDGER:
 *   held          map attempt token → lease end (epoch ms): the calls in progress
 *   s_<epochSec>  calls started in that second;  h_<UTC hour>  in that hour;  d_<UTC day>  that day
 *   usd_<UTC day> Bland spend of calls that ended that day;  line_<class>  the next turn of a deferred class
 *   refusedAt     when a dial was last refused for concurrency (a release looks at the waiting room only after one)
 *   bk_<UTC hour> retries booked in that hour by attempts the hourly cap refused (all classes, each below its share)
 * One UpdateItem takes a slot and counts the call under a condition on every count (`size(held)` for the slots), so
 * the ledger can never pass a limit, whatever the number of dialers. It stays small: one entry per call in progress,
 * and the sweeper prunes past periods. One item takes about 1,000 write units a second (docs/scale.md).
 *
 * The waiting room: one item per attempt deferred for concurrency, pk PACER sk WAIT#<place> (its class, then its rank),
 * holding its dial message. A freed slot takes the first waiter by a conditional delete.
 */
const KEY = { pk: 'PACER', sk: 'LEDGER' };

type Item = Record<string, unknown> & { held?: Record<string, number> };

const noLedger = (error: unknown) => (error as Error).name === 'ValidationException' && /document path/i.test((error as Error).message);

export class DynamoCapacityStore implements CapacityStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  private async read(): Promise<Item | null> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: KEY, ConsistentRead: true }));
    return (Item as Item | undefined) ?? null;
  }

  /** Creates the ledger if it is not there (a race with another creator is fine). */
  private async ensure(): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...KEY, kind: 'pacer', held: {} }, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private static usageOf(item: Item | null, keys: CapacityKeys, now: number): CapacityUsage {
    const num = (name: string) => Number(item?.[name] ?? 0);
    return {
      inFlight: Object.values(item?.held ?? {}).filter((leaseUntil) => leaseUntil > now).length,
      second: num(`s_${keys.second}`),
      hour: num(`h_${keys.hour}`),
      day: num(`d_${keys.day}`),
      spendUsd: num(`usd_${keys.day}`),
    };
  }

  /** The conditional write itself: the ledger after it, or null when a condition failed (or there was no ledger). */
  private async tryAcquire(token: string, keys: CapacityKeys, limits: LaneLimits, leaseUntil: number): Promise<Item | null> {
    // Calls per second are counted only under a per-second cap (none by default): a counter a second would grow the
    // item by up to 300 attributes between two prunes, and every write reads and writes the whole item.
    const perSecond = limits.perSecond !== null;
    const names: Record<string, string> = { '#tok': token, '#h': `h_${keys.hour}`, '#d': `d_${keys.day}`, ...(perSecond ? { '#s': `s_${keys.second}` } : {}) };
    const values: Record<string, unknown> = { ':lease': leaseUntil, ':one': 1, ':conc': limits.concurrency };
    const conditions = ['size(held) < :conc'];
    const below = (name: string, attribute: string, value: string, limit: number | null) => {
      if (limit === null) return;
      names[name] = attribute;
      values[value] = limit;
      conditions.push(`(attribute_not_exists(${name}) OR ${name} < ${value})`);
    };
    below('#s', `s_${keys.second}`, ':ps', limits.perSecond);
    below('#h', `h_${keys.hour}`, ':ph', limits.perHour);
    below('#d', `d_${keys.day}`, ':pd', limits.perDay);
    below('#usd', `usd_${keys.day}`, ':usd', limits.spendUsd);
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: KEY,
        UpdateExpression: `SET held.#tok = :lease ADD ${perSecond ? '#s :one, ' : ''}#h :one, #d :one`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }));
      return (Attributes as Item | undefined) ?? {};
    } catch (error) {
      if (isConditionFailure(error)) return null;
      if (noLedger(error)) {
        await this.ensure();
        return null;
      }
      throw error;
    }
  }

  async acquire(token: string, keys: CapacityKeys, limits: LaneLimits, leaseUntil: number, now: number): Promise<Acquired> {
    let usage: CapacityUsage = DynamoCapacityStore.usageOf(null, keys, now);
    for (let attempt = 0; attempt < 3; attempt++) {
      const item = await this.tryAcquire(token, keys, limits, leaseUntil);
      if (item) return { acquired: true, usage: DynamoCapacityStore.usageOf(item, keys, now) };
      const current = await this.read();
      if (!current) {
        // The first dial ever: the ledger is made, then the write is tried again.
        await this.ensure();
        continue;
      }
      usage = DynamoCapacityStore.usageOf(current, keys, now);
      const full: CapacityLimit[] = [];
      if (limits.spendUsd !== null && usage.spendUsd >= limits.spendUsd) full.push('spend');
      if (limits.perDay !== null && usage.day >= limits.perDay) full.push('per-day');
      if (limits.perHour !== null && usage.hour >= limits.perHour) full.push('per-hour');
      if (limits.perSecond !== null && usage.second >= limits.perSecond) full.push('per-second');
      if (usage.inFlight >= limits.concurrency) full.push('concurrency');
      if (full.length > 0) {
        if (full.includes('concurrency')) await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: KEY, UpdateExpression: 'SET refusedAt = :now', ExpressionAttributeValues: { ':now': now } }));
        return { acquired: false, full, usage };
      }
      // Nothing is full once expired leases are left out (their calls' ends were never seen): drop them and retry.
      // Or another dialer took the last unit between the write and the read: retry as well.
      const expired = Object.entries(current.held ?? {}).filter(([, until]) => until <= now).map(([t]) => t);
      if (expired.length > 0) await this.removeAttributes(expired.map((t) => ['held', t]));
    }
    return { acquired: false, full: ['concurrency'], usage };
  }

  /** REMOVEs attributes (a [map, key] pair is an entry of a map), 50 to a request. */
  private async removeAttributes(paths: readonly (readonly string[])[]): Promise<void> {
    for (let i = 0; i < paths.length; i += 50) {
      const chunk = paths.slice(i, i + 50);
      const names: Record<string, string> = {};
      const expressions = chunk.map((path, j) => path.map((part, k) => {
        names[`#p${j}_${k}`] = part;
        return `#p${j}_${k}`;
      }).join('.'));
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: KEY, UpdateExpression: `REMOVE ${expressions.join(', ')}`, ExpressionAttributeNames: names }));
    }
  }

  async release(token: string, day: string, spendUsd: number, now: number, giveBack?: CapacityKeys): Promise<Released> {
    const spend = spendUsd > 0;
    const names: Record<string, string> = { '#tok': token };
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    if (spend) {
      names['#usd'] = `usd_${day}`;
      values[':usd'] = spendUsd;
      adds.push('#usd :usd');
    }
    if (giveBack) {
      // No call was placed under the slot: its hour's and day's counts go back (once: only while the token holds it).
      names['#gh'] = `h_${giveBack.hour}`;
      names['#gd'] = `d_${giveBack.day}`;
      values[':back'] = -1;
      adds.push('#gh :back', '#gd :back');
    }
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: KEY,
        UpdateExpression: `REMOVE held.#tok${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
        ...(giveBack ? { ConditionExpression: 'attribute_exists(held.#tok)' } : {}),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        ReturnValues: 'ALL_NEW',
      }));
      const item = Attributes as Item | undefined;
      return {
        inFlight: Object.values(item?.held ?? {}).filter((leaseUntil) => leaseUntil > now).length,
        refusedAt: typeof item?.['refusedAt'] === 'number' ? item['refusedAt'] : null,
      };
    } catch (error) {
      // The slot was already freed (a second release): nothing to give back; the spend, if any, still counts.
      if (giveBack && isConditionFailure(error)) return this.release(token, day, spendUsd, now);
      // No ledger yet: nothing was ever held; a price still counts.
      if (!noLedger(error)) throw error;
      await this.ensure();
      return spend ? this.release(token, day, spendUsd, now) : { inFlight: 0, refusedAt: null };
    }
  }

  async park(waiter: Waiter): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: KEY.pk, sk: `WAIT#${waiter.place}`, kind: 'pacer-waiter', message: waiter.message } }));
  }

  async unpark(place: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: KEY.pk, sk: `WAIT#${place}` } }));
  }

  async waiters(n: number): Promise<Waiter[]> {
    if (n <= 0) return [];
    const { Items = [] } = await this.doc.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': KEY.pk, ':prefix': 'WAIT#' },
      Limit: n,
      ConsistentRead: true,
    }));
    return Items.map((item) => ({ place: String(item['sk']).slice('WAIT#'.length), message: item['message'] as DialMessage }));
  }

  async take(place: string): Promise<boolean> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: KEY.pk, sk: `WAIT#${place}` }, ConditionExpression: 'attribute_exists(sk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async waiting(): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': KEY.pk, ':prefix': 'WAIT#' },
        Select: 'COUNT',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async usage(keys: CapacityKeys, now: number): Promise<CapacityUsage> {
    return DynamoCapacityStore.usageOf(await this.read(), keys, now);
  }

  async reserveTurn(line: string, now: number, spacingMs: number): Promise<number> {
    const name = `line_${line}`;
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await this.read();
      if (!current) {
        await this.ensure();
        continue;
      }
      const previous = typeof current[name] === 'number' ? (current[name] as number) : null;
      const turn = Math.max(previous ?? 0, now) + spacingMs;
      try {
        await this.doc.send(new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'SET #line = :turn',
          ConditionExpression: previous === null ? 'attribute_not_exists(#line)' : '#line = :previous',
          ExpressionAttributeNames: { '#line': name },
          ExpressionAttributeValues: { ':turn': turn, ...(previous === null ? {} : { ':previous': previous }) },
        }));
        return turn;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    // Contended by other dialers: a turn a few places on is still a fair place to wait.
    return now + spacingMs * 8;
  }

  async bookHour(hour: string, cap: number): Promise<number | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const { Attributes } = await this.doc.send(new UpdateCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'ADD #b :one',
          ConditionExpression: 'attribute_not_exists(#b) OR #b < :cap',
          ExpressionAttributeNames: { '#b': `bk_${hour}` },
          ExpressionAttributeValues: { ':one': 1, ':cap': cap },
          ReturnValues: 'UPDATED_NEW',
        }));
        return Number(Attributes?.[`bk_${hour}`] ?? 1);
      } catch (error) {
        if (isConditionFailure(error)) {
          // No ledger yet fails the condition too (no item): make it and book again.
          if (attempt === 0 && !(await this.read())) {
            await this.ensure();
            continue;
          }
          return null;
        }
        throw error;
      }
    }
    return null;
  }

  async prune(keys: CapacityKeys, now: number): Promise<void> {
    const item = await this.read();
    if (!item) return;
    const expired = Object.entries(item.held ?? {}).filter(([, until]) => until <= now).map(([t]) => ['held', t]);
    const second = Number(keys.second);
    const oldHour = new Date(now - 2 * 3_600_000).toISOString().slice(0, 13);
    const oldDay = new Date(now - 2 * 86_400_000).toISOString().slice(0, 10);
    // Seconds go after two; hours and days after two (the one just ended is kept for its reports).
    const past = Object.keys(item).filter((name) =>
      (name.startsWith('s_') && Number(name.slice(2)) < second - 2)
      || ((name.startsWith('h_') || name.startsWith('bk_')) && name.slice(name.indexOf('_') + 1) < oldHour)
      || ((name.startsWith('d_') || name.startsWith('usd_')) && name.slice(name.indexOf('_') + 1) < oldDay)).map((name) => [name]);
    await this.removeAttributes([...expired, ...past]);
  }
}
