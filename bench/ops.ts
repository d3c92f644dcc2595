/**
 * npm run bench (ops part): the work one dial costs, counted rather than guessed. BENCH_OPS_LEADS leads (default
 * 500) arrive before the window opens on a Wednesday and are redialed through one business day by the real use
 * cases (accept lead, dial, watchdog, record outcome) on dynalite, with the outcomes Bland's simulator draws (its
 * weights, the pinned webhook fixtures in test/fixtures/bland/) arriving after each call's length.
 *
 * Counted per dial: DynamoDB requests by type, write units (as dynalite reports them with ReturnConsumedCapacity,
 * plus the `due` index's writes computed from the item before and after each write), read units, units per
 * partition key (the hot keys of docs/scale.md), EventBridge Scheduler calls (create, delete, delete of a schedule
 * that already fired, invocations), queue sends, Bland and Convoso requests. And the client CPU time per dial
 * (process.cpuUsage, user + system; dynalite runs in a child process so its own work is not in it) against a
 * baseline measured in the same run: one PutItem of a lead item through the same client.
 *
 * Two configurations, each run twice (once counting, once timing, so the counting does not inflate the CPU figure):
 *   minimal     the deps of bench/loop.ts: no blocklist, no caller-ID pool, no Convoso; every attempt through the
 *               Scheduler, no pacer (the wiring before the speed-to-lead issue, for comparison)
 *   production  what lambdas/handlers/aws-deps.ts wires: the blocklist, a caller-ID pool of BENCH_OPS_POOL numbers
 *               (default 10), the pre-dial Convoso check, the CRM outbox, near attempts on the dial queue and the
 *               pacer's ledger at the default plan (texts stay off, as by default)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MIN_LEAD_MS } from '../lambdas/adapters/aws/attempt-scheduler.eventbridge';
import { DynamoBlockList } from '../lambdas/adapters/aws/blocklist.dynamodb';
import { DynamoCallerIdStore } from '../lambdas/adapters/aws/caller-ids.dynamodb';
import { DynamoLeadStore, documentClientFrom, isConditionFailure } from '../lambdas/adapters/aws/lead-store.dynamodb';
import { TABLE_KEYS } from '../lambdas/adapters/aws/table-definition';
import { startLocalDynamoProcess } from '../lambdas/adapters/local/dynalite';
import { MemoryMetrics } from '../lambdas/adapters/local/metrics.memory';
import { ManualClock } from '../lambdas/adapters/system-clock';
import { makeAcceptLead } from '../lambdas/app/accept-lead';
import { makeDialLead } from '../lambdas/app/dial-lead';
import { loopDeps } from '../lambdas/app/loop-deps';
import { makeRecordCallOutcome, type CallEnded } from '../lambdas/app/record-call-outcome';
import { makeWatchdog } from '../lambdas/app/watchdog';
import { parseConfig } from '../lambdas/config/config';
import { PER_DIAL } from '../lambdas/domain/cost-model';
import type { AttemptScheduler, DialMessage } from '../lambdas/ports/attempt-scheduler';
import { MAX_DIAL_DELAY_MS, type DialQueue } from '../lambdas/ports/dial-queue';
import { DynamoCapacityStore } from '../lambdas/adapters/aws/dial-capacity.dynamodb';
import type { Clock } from '../lambdas/ports/clock';
import type { VoiceAgent } from '../lambdas/ports/voice-agent';
import { seededRandom } from '../sim/random';
import { fixed, writeBenchResult, type BenchRow } from './results';

const LEADS = Number(process.env.BENCH_OPS_LEADS ?? 500);
const POOL = Number(process.env.BENCH_OPS_POOL ?? 10);
/** PutItem calls timed for the CPU baseline. */
const PUTS = Math.max(200, LEADS);
/** Duplicate webhooks posted after the day (Bland may post a call's webhook twice: docs/bland.md). */
const DUPLICATES = Math.min(100, LEADS);

/** Wednesday 2026-07-15: leads arrive at 10:30 ET, the business window opens at 11:00 ET (15:00Z). */
const INTAKE_AT = Date.parse('2026-07-15T14:30:00Z');
const END = Date.parse('2026-07-16T02:00:00Z');

type ConfigName = 'minimal' | 'production';

// ---------------------------------------------------------------------------------------------------------------
// Counting

/** A flat tally: `ddb.GetItem`, `ddb.rcu`, `pk.w.STATS#2026-07-15`, `sched.create`... (easy to snapshot and diff). */
class Tally {
  readonly n = new Map<string, number>();
  /** Which function the work belongs to (each count is also kept as `<phase>:<name>`). */
  phase = '';
  add(name: string, by = 1): void {
    this.n.set(name, (this.n.get(name) ?? 0) + by);
    if (this.phase) this.n.set(`${this.phase}:${name}`, (this.n.get(`${this.phase}:${name}`) ?? 0) + by);
  }
  get(name: string): number {
    return this.n.get(name) ?? 0;
  }
  snapshot(): Map<string, number> {
    return new Map(this.n);
  }
  since(before: Map<string, number>): Map<string, number> {
    const d = new Map<string, number>();
    for (const [k, v] of this.n) if (v !== (before.get(k) ?? 0)) d.set(k, v - (before.get(k) ?? 0));
    return d;
  }
}

const DATA_OPS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems']);
const WRITE_OPS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/**
 * Item size as DynamoDB counts it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * attribute names plus values; a number is about 1 byte per 2 significant digits + 1; lists and maps 3 bytes + 1 per
 * element; null and booleans 1 byte.
 */
function valueBytes(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^[-0.]+|\.|e.*$/gi, '').replace(/0+$/, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((s, e) => s + 1 + valueBytes(e), 0);
  if (v.M !== undefined) return 3 + Object.keys(v.M).length + itemBytes(v.M);
  if (v.SS !== undefined) return v.SS.reduce((s, e) => s + Buffer.byteLength(e), 0);
  if (v.NS !== undefined) return v.NS.reduce((s, e) => s + valueBytes({ N: e }), 0);
  return 0;
}
function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((s, [name, v]) => s + Buffer.byteLength(name) + valueBytes(v), 0);
}
const writeUnitsOf = (item: Record<string, AttributeValue>) => Math.max(1, Math.ceil(itemBytes(item) / 1024));

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * Writes to the `due` index (projection ALL) caused by one table write: an item entering or leaving the index is one
 * index write; a changed index key is two (delete + put); a changed item with the same key is one; no change, none
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.Writes).
 */
function indexWrites(before: Record<string, AttributeValue> | undefined, after: Record<string, AttributeValue> | undefined): { shard: string; units: number }[] {
  const { partitionKey: ipk, sortKey: isk } = TABLE_KEYS.dueIndex;
  const inIndex = (i: Record<string, AttributeValue> | undefined) => (i?.[ipk]?.S !== undefined && i[isk]?.S !== undefined ? i : undefined);
  const o = inIndex(before);
  const n = inIndex(after);
  if (!o && !n) return [];
  if (o && !n) return [{ shard: o[ipk]!.S!, units: writeUnitsOf(o) }];
  if (!o && n) return [{ shard: n[ipk]!.S!, units: writeUnitsOf(n) }];
  if (o![ipk]!.S !== n![ipk]!.S || o![isk]!.S !== n![isk]!.S) return [{ shard: o![ipk]!.S!, units: writeUnitsOf(o!) }, { shard: n![ipk]!.S!, units: writeUnitsOf(n!) }];
  if (canonical(o) === canonical(n)) return [];
  return [{ shard: n![ipk]!.S!, units: Math.max(writeUnitsOf(o!), writeUnitsOf(n!)) }];
}

/** The partition a request touches (`pk` value, or `due:<shard>` for the index). */
function partitionOf(op: string, input: Record<string, unknown>): string {
  const key = (input['Key'] ?? input['Item']) as Record<string, AttributeValue> | undefined;
  if (key?.['pk']?.S !== undefined) return key['pk'].S;
  if (op === 'Query') {
    const match = /^\s*(\S+)\s*=\s*(:\w+)/.exec(String(input['KeyConditionExpression'] ?? ''));
    const value = match ? (input['ExpressionAttributeValues'] as Record<string, AttributeValue> | undefined)?.[match[2]!]?.S : undefined;
    return `${input['IndexName'] ? `${String(input['IndexName'])}:` : ''}${value ?? '?'}`;
  }
  return '?';
}

/**
 * Counts every DynamoDB data request the client sends: by type, read units (at least one per strongly consistent
 * request: dynalite reports 0 for an empty Query; DynamoDB's own minimum for it is not confirmed here, so the larger
 * figure is kept), write units, units per partition key. With `images`, also the `due` index's writes, from the
 * item read (uncounted, through `images`) before and after each write; a failed conditional write is charged as
 * DynamoDB charges it (the item's size, at least 1 unit).
 */
function countDynamo(client: DynamoDBClient, tally: Tally, images: DynamoDBClient | null): void {
  const image = async (table: string, key: Record<string, AttributeValue>) =>
    (await images!.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  const opOf = (context: unknown) => String((context as { commandName?: string }).commandName ?? '').replace(/Command$/, '');
  // Asked for before serialization; counted after the document client has marshalled the input (its keys are then
  // AttributeValues, as the uncounted image reads need them).
  client.middlewareStack.add((next, context) => async (args) => {
    if (DATA_OPS.has(opOf(context))) (args.input as Record<string, unknown>)['ReturnConsumedCapacity'] = 'TOTAL';
    return next(args);
  }, { step: 'initialize', priority: 'high', name: 'benchOpsCapacity' });
  client.middlewareStack.add((next, context) => async (args) => {
    const op = opOf(context);
    if (!DATA_OPS.has(op)) return next(args);
    const input = args.input as Record<string, unknown>;
    tally.add(`ddb.${op}`);
    const pk = partitionOf(op, input);
    const write = WRITE_OPS.has(op);
    const table = String(input['TableName']);
    const key = write ? ((input['Key'] ?? { pk: (input['Item'] as Record<string, AttributeValue>)['pk'], sk: (input['Item'] as Record<string, AttributeValue>)['sk'] }) as Record<string, AttributeValue>) : null;
    const before = images && key ? await image(table, key) : undefined;
    const addIndexWrites = async () => {
      if (!images || !key) return;
      for (const w of indexWrites(before, await image(table, key))) {
        tally.add('ddb.indexWcu', w.units);
        tally.add(`pk.w.due:${w.shard}`, w.units);
      }
    };
    try {
      const result = await next(args);
      const units = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      if (write) {
        tally.add('ddb.wcu', units);
        tally.add(`pk.w.${pk}`, units);
        await addIndexWrites();
      } else {
        const consistent = input['ConsistentRead'] === true;
        const counted = Math.max(units, consistent ? 1 : 0.5);
        tally.add('ddb.rcu', counted);
        tally.add(`pk.r.${pk}`, counted);
      }
      return result;
    } catch (error) {
      if (write && isConditionFailure(error)) {
        const units = before ? writeUnitsOf(before) : 1;
        tally.add('ddb.conditionFailures');
        tally.add('ddb.wcu', units);
        tally.add(`pk.w.${pk}`, units);
      }
      throw error;
    }
  }, { step: 'build', priority: 'high', name: 'benchOpsCounter' });
}

/**
 * The scheduler as EventBridge Scheduler would be called: schedule = CreateSchedule (UpdateSchedule when the name
 * exists), cancel = DeleteSchedule (ResourceNotFound when the schedule already fired and deleted itself, as
 * ActionAfterCompletion DELETE does), firing = one invocation into the dial queue. In memory, so that its own
 * bookkeeping adds nothing to the DynamoDB counts (the local scheduler keeps its schedules in the table).
 */
class CountingScheduler implements AttemptScheduler {
  private readonly pending = new Map<string, { at: number; message: DialMessage }>();
  private readonly heap = new MinHeap<{ at: number; name: string }>();

  constructor(private readonly clock: Clock, private readonly tally: Tally) {}

  async schedule(name: string, at: number, message: DialMessage): Promise<void> {
    this.tally.add('sched.create');
    if (this.pending.has(name)) this.tally.add('sched.update');
    const when = Math.max(at, this.clock.now() + MIN_LEAD_MS);
    this.pending.set(name, { at: when, message });
    this.heap.push(when, { at: when, name });
  }

  async cancel(name: string): Promise<void> {
    this.tally.add('sched.delete');
    if (!this.pending.delete(name)) this.tally.add('sched.deleteNotFound');
  }

  private live(): { at: number; name: string } | undefined {
    for (let top = this.heap.peek(); top; top = this.heap.peek()) {
      if (this.pending.get(top.name)?.at === top.at) return top;
      this.heap.pop();
    }
    return undefined;
  }

  nextAt(): number | undefined {
    return this.live()?.at;
  }

  /** The schedules due by now, in time order, each fired once (and gone, as after ActionAfterCompletion DELETE). */
  takeDue(now: number): DialMessage[] {
    const due: DialMessage[] = [];
    for (let top = this.live(); top && top.at <= now; top = this.live()) {
      this.heap.pop();
      due.push(this.pending.get(top.name)!.message);
      this.pending.delete(top.name);
      this.tally.add('sched.invocations');
    }
    return due;
  }
}

class MinHeap<T> {
  private readonly items: { key: number; seq: number; value: T }[] = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  push(key: number, value: T): void {
    const items = this.items;
    items.push({ key, seq: this.seq++, value });
    for (let i = items.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (this.less(p, i)) break;
      [items[p], items[i]] = [items[i]!, items[p]!];
      i = p;
    }
  }
  peek(): T | undefined {
    return this.items[0]?.value;
  }
  peekKey(): number | undefined {
    return this.items[0]?.key;
  }
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top?.value;
  }
  private less(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.key < y.key || (x.key === y.key && x.seq < y.seq);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The workload

/** Area codes across the zones, each with its state. CA and NV open an hour after the others (their rules). */
const AREAS: readonly [string, string][] = [
  ['212', 'NY'], ['305', 'FL'], ['312', 'IL'], ['713', 'TX'], ['602', 'AZ'], ['303', 'CO'],
  ['415', 'CA'], ['206', 'WA'], ['404', 'GA'], ['617', 'MA'], ['215', 'PA'], ['702', 'NV'],
];
const phoneOf = (i: number) => `+1${AREAS[i % AREAS.length]![0]}${2_000_000 + Math.floor(i / AREAS.length)}`;
/** The dial queue as SQS would be called: one SendMessage per send, delivered after its delay. In memory. */
class CountingDialQueue implements DialQueue {
  private readonly due = new MinHeap<DialMessage>();
  constructor(private readonly clock: ManualClock, private readonly tally: Tally) {}

  async send(message: DialMessage, delayMs = 0): Promise<void> {
    this.tally.add('sqs.dialSend');
    this.due.push(this.clock.now() + Math.min(delayMs, MAX_DIAL_DELAY_MS), message);
  }

  nextAt(): number | undefined {
    return this.due.peekKey();
  }

  takeDue(now: number): DialMessage[] {
    const out: DialMessage[] = [];
    while ((this.due.peekKey() ?? Infinity) <= now) out.push(this.due.pop()!);
    return out;
  }
}

/** Ids of the length production uses (randomUUID, Bland's call_id), since ids are stored and item sizes count. */
const uuidOf = (prefix: number, n: number) => `${String(prefix).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The Bland simulator's default outcome weights (sim/bland-sim.ts), each with its pinned webhook fixture. */
const OUTCOMES: readonly [string, number][] = [
  ['voicemail', 30], ['no-answer', 30], ['busy', 5], ['transferred-merged', 8], ['callback-with-time', 7],
  ['sale-disposition', 4], ['dnc-disposition', 4], ['not-interested', 12],
];
const FIXTURES = new Map(OUTCOMES.map(([name]) => [name, JSON.parse(readFileSync(join(__dirname, '..', 'test', 'fixtures', 'bland', `${name}.json`), 'utf8')) as Record<string, unknown>]));
const TOTAL_WEIGHT = OUTCOMES.reduce((s, [, w]) => s + w, 0);

interface PassResult {
  readonly config: ConfigName;
  readonly dials: number;
  readonly leads: number;
  readonly intake: Map<string, number>;
  readonly day: Map<string, number>;
  readonly duplicates: Map<string, number>;
  readonly results: Map<string, number>;
  readonly cpuIntakeMs: number;
  readonly cpuDayMs: number;
  readonly cpuPutMs: number;
  readonly leadItemBytes: number;
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function runPass(config: ConfigName, counting: boolean): Promise<PassResult> {
  const dynamo = await startLocalDynamoProcess({ tableName: 'bench-ops' });
  try {
    return await dayOn(dynamo, config, counting);
  } finally {
    await dynamo.stop();
  }
}

async function dayOn(dynamo: { endpoint: string; tableName: string }, config: ConfigName, counting: boolean): Promise<PassResult> {
  const clientConfig = { endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const client = new DynamoDBClient(clientConfig);
  const images = counting ? new DynamoDBClient(clientConfig) : null;
  const tally = new Tally();
  if (counting) countDynamo(client, tally, images);
  const doc = documentClientFrom(client);
  const production = config === 'production';
  const store = new DynamoLeadStore(doc, dynamo.tableName);
  const clock = new ManualClock(INTAKE_AT);
  const scheduler = new CountingScheduler(clock, tally);
  // Production sends near attempts straight to the dial queue (SQS SendMessage with a delay), as aws-deps wires it.
  const dialQueue = production ? new CountingDialQueue(clock, tally) : null;
  const random = seededRandom(20260715);
  const webhooks = new MinHeap<CallEnded>();
  let calls = 0;
  const bodies: CallEnded[] = [];
  const agent: VoiceAgent = {
    placeCall: async (request) => {
      tally.add('bland.placeCall');
      const callId = uuidOf(1, ++calls);
      let r = random() * TOTAL_WEIGHT;
      const name = OUTCOMES.find(([, w]) => (r -= w) < 0)?.[0] ?? 'voicemail';
      const fixture = FIXTURES.get(name)!;
      const now = clock.now();
      const variables = name === 'callback-with-time'
        ? { ...(fixture['variables'] as object), callback_datetime: new Date(now + 26 * 3_600_000).toISOString() }
        : fixture['variables'];
      const body = {
        ...fixture, variables, call_id: callId, c_id: callId, to: request.phone, from: request.from ?? fixture['from'],
        created_at: new Date(now).toISOString(), metadata: request.metadata,
      } as CallEnded;
      // The webhook comes when the call ends: its length, at least the ~25 s an unanswered call rings.
      const seconds = Math.max(25, Number(fixture['call_length'] ?? 0) * 60);
      webhooks.push(now + seconds * 1000 + 2_000, body);
      return { callId };
    },
    getCall: async () => {
      tally.add('bland.getCall');
      return null;
    },
  };
  const pool = Array.from({ length: production ? POOL : 0 }, (_, i) => ({ number: `+1${AREAS[i % AREAS.length]![0]}55501${String(i).padStart(2, '0')}` }));
  const cfg = parseConfig(production ? { callerIds: { numbers: pool } } : { dialer: { preDialCrmCheck: false } });
  const blocklist = production ? new DynamoBlockList(doc, dynamo.tableName) : null;
  if (blocklist) {
    // An operator's list: a few area codes and prefixes the leads do not match, and numbers (bad numbers, opt-outs).
    const entry = { reason: 'bench', source: 'operator' as const, addedAt: INTAKE_AT, addedBy: 'bench' };
    for (const ac of ['218', '307', '406', '701', '802']) await blocklist.add({ kind: 'areaCode', value: ac, ...entry });
    for (const p of ['+1218555', '+1307555', '+1406555', '+1701555', '+1802555']) await blocklist.add({ kind: 'prefix', value: p, ...entry });
    for (let i = 0; i < 50; i++) await blocklist.add({ kind: 'number', value: `+1212${9_000_000 + i}`, ...entry });
  }
  let ids = 0;
  let logBytes = 0;
  const deps = loopDeps({
    store, scheduler, dialQueue, agent, clock, config: cfg, newId: () => uuidOf(2, ++ids), random,
    // The pacer's ledger, as aws-deps wires it (production only; its DynamoDB requests are part of a dial's).
    capacity: production ? new DynamoCapacityStore(doc, dynamo.tableName) : null,
    crm: production ? { findByPhone: async (phone) => (tally.add('convoso.lookup'), { leadId: `L${phone}`, listId: '1', status: 'NA' }) } : null,
    crmOutbox: production ? { send: async () => tally.add('sqs.outboxSend') } : null,
    crmParked: store,
    blocklist,
    callerIds: production ? new DynamoCallerIdStore(doc, dynamo.tableName) : null,
    metrics: new MemoryMetrics(),
    // Every decision is one log line on AWS (Powertools): serialized here too, as its CPU is part of a dial's.
    log: (event) => {
      logBytes += JSON.stringify(event).length;
    },
  });
  const accept = makeAcceptLead(deps);
  const dial = makeDialLead(deps);
  const watchdog = makeWatchdog(deps);
  const record = makeRecordCallOutcome(deps);
  const results = new Map<string, number>();
  const count = (r: { result: string }) => results.set(r.result, (results.get(r.result) ?? 0) + 1);

  let mark = tally.snapshot();
  let cpu = process.cpuUsage();
  for (let i = 0; i < LEADS; i++) {
    await accept({ phone: phoneOf(i), state: AREAS[i % AREAS.length]![1], firstName: 'Avery', lastName: `Lead${i}`, email: `avery.lead${i}@example.com`, source: 'zapier', fields: { campaign: 'aca-2026-q3', age: String(30 + (i % 35)) } });
  }
  const cpuIntakeMs = cpuMs(cpu);
  const intake = tally.since(mark);

  mark = tally.snapshot();
  const logStart = logBytes;
  cpu = process.cpuUsage();
  for (;;) {
    const tq = dialQueue?.nextAt();
    const ts = Math.min(scheduler.nextAt() ?? Infinity, tq ?? Infinity);
    const tw = webhooks.peekKey();
    const t = Math.min(ts, tw ?? Infinity);
    if (!Number.isFinite(t) || t > END) break;
    clock.set(Math.max(clock.now(), t));
    if (tw !== undefined && tw <= ts) {
      const body = webhooks.pop()!;
      if (bodies.length < DUPLICATES) bodies.push(body);
      tally.phase = 'webhook';
      count(await record(body));
      tally.phase = '';
      continue;
    }
    for (const message of [...scheduler.takeDue(clock.now()), ...(dialQueue?.takeDue(clock.now()) ?? [])]) {
      tally.phase = 'dialer';
      count(message.kind === 'dial' ? await dial(message) : await watchdog(message));
      tally.phase = '';
    }
  }
  const cpuDayMs = cpuMs(cpu);
  const day = tally.since(mark);
  day.set('log.bytes', logBytes - logStart);

  // Bland's second POST of a call (docs/bland.md): what a duplicate webhook costs.
  mark = tally.snapshot();
  for (const body of bodies) await record(body);
  const duplicates = tally.since(mark);

  // The CPU baseline: one PutItem of a stored lead item, through the same client.
  const { Item } = await doc.send(new GetCommand({ TableName: dynamo.tableName, Key: { pk: `LEAD#${phoneOf(0)}`, sk: 'LEAD' } }));
  const leadItemBytes = Buffer.byteLength(JSON.stringify(Item));
  for (let i = 0; i < 50; i++) await doc.send(new PutCommand({ TableName: dynamo.tableName, Item: { ...Item, pk: `WARM#${i}` } }));
  cpu = process.cpuUsage();
  for (let i = 0; i < PUTS; i++) await doc.send(new PutCommand({ TableName: dynamo.tableName, Item: { ...Item, pk: `BASE#${i}` } }));
  const cpuPutMs = cpuMs(cpu) / PUTS;

  client.destroy();
  images?.destroy();
  return { config, dials: day.get('bland.placeCall') ?? 0, leads: LEADS, intake, day, duplicates, results, cpuIntakeMs, cpuDayMs, cpuPutMs, leadItemBytes };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

interface PerDial {
  readonly get: number; readonly put: number; readonly update: number; readonly del: number; readonly query: number; readonly other: number;
  readonly reads: number; readonly writes: number;
  readonly tableWcu: number; readonly indexWcu: number; readonly wcu: number; readonly rcu: number;
  readonly conditionFailures: number;
  readonly schedCreate: number; readonly schedDelete: number; readonly schedDeleteNotFound: number; readonly schedInvocations: number;
  readonly queueSends: number; readonly outboxSends: number; readonly dialSends: number;
  readonly blandPost: number; readonly blandGet: number; readonly convoso: number;
  /** Units per dial on the busiest single partition key of each kind of key. */
  readonly hot: Readonly<Record<string, { w: number; r: number }>>;
}

/** Averages of a tally delta per `divisor` (dials, leads), for one function (`phase`) or all. */
function per(t: Map<string, number>, divisor: number, phase = ''): PerDial {
  const at = phase ? `${phase}:` : '';
  const g = (k: string) => (t.get(at + k) ?? 0) / Math.max(1, divisor);
  const known = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'];
  const other = [...DATA_OPS].filter((op) => !known.includes(op)).reduce((s, op) => s + g(`ddb.${op}`), 0);
  const byKey = new Map<string, { kind: string; w: number; r: number }>();
  const pattern = new RegExp(`^${at}pk\\.([rw])\\.(.*)$`);
  for (const [k, v] of t) {
    const m = pattern.exec(k);
    if (!m) continue;
    const key = m[2]!;
    const kind = key.startsWith('due:') ? 'due index (one shard)' : key.includes('#') ? `${key.split('#')[0]}#…` : key;
    const cur = byKey.get(key) ?? { kind, w: 0, r: 0 };
    cur[m[1] as 'w' | 'r'] += v / Math.max(1, divisor);
    byKey.set(key, cur);
  }
  const hot: Record<string, { w: number; r: number }> = {};
  for (const u of byKey.values()) hot[u.kind] = { w: Math.max(hot[u.kind]?.w ?? 0, u.w), r: Math.max(hot[u.kind]?.r ?? 0, u.r) };
  return {
    get: g('ddb.GetItem'), put: g('ddb.PutItem'), update: g('ddb.UpdateItem'), del: g('ddb.DeleteItem'), query: g('ddb.Query'), other,
    reads: g('ddb.GetItem') + g('ddb.Query') + g('ddb.BatchGetItem') + g('ddb.TransactGetItems') + g('ddb.Scan'),
    writes: g('ddb.PutItem') + g('ddb.UpdateItem') + g('ddb.DeleteItem') + g('ddb.BatchWriteItem') + g('ddb.TransactWriteItems'),
    tableWcu: g('ddb.wcu'), indexWcu: g('ddb.indexWcu'), wcu: g('ddb.wcu') + g('ddb.indexWcu'), rcu: g('ddb.rcu'),
    conditionFailures: g('ddb.conditionFailures'),
    schedCreate: g('sched.create'), schedDelete: g('sched.delete'), schedDeleteNotFound: g('sched.deleteNotFound'), schedInvocations: g('sched.invocations'),
    queueSends: g('sched.invocations') + g('sqs.dialSend') + g('sqs.outboxSend'), outboxSends: g('sqs.outboxSend'), dialSends: g('sqs.dialSend'),
    blandPost: g('bland.placeCall'), blandGet: g('bland.getCall'), convoso: g('convoso.lookup'),
    hot,
  };
}

const f2 = (n: number) => fixed(n, 2);

async function main(): Promise<void> {
  console.log(`\nops: ${LEADS.toLocaleString('en-US')} leads, one business day (intake 10:30 ET, window 11:00-20:00 ET), outcomes drawn with the Bland simulator's weights; dynalite in a child process`);
  const passes = {} as Record<ConfigName, { count: PassResult; time: PassResult }>;
  for (const config of ['minimal', 'production'] as const) passes[config] = { count: await runPass(config, true), time: await runPass(config, false) };
  for (const c of ['minimal', 'production'] as const) {
    if (passes[c].count.dials !== passes[c].time.dials) throw new Error(`${c}: the counting and timing passes placed different numbers of calls (the workload is not deterministic)`);
  }
  const all = (c: ConfigName, phase = '') => per(passes[c].count.day, passes[c].count.dials, phase);
  const m = all('minimal');
  const p = all('production');
  const split = (c: ConfigName, f: (d: PerDial) => number) => `${f2(f(all(c, 'dialer')))} + ${f2(f(all(c, 'webhook')))}`;
  const cpu = (c: ConfigName) => passes[c].time.cpuDayMs / Math.max(1, passes[c].time.dials);
  const put = (c: ConfigName) => passes[c].time.cpuPutMs;

  const rows: [string, (c: ConfigName, d: PerDial) => string][] = [
    ['dials placed / leads', (c) => `${passes[c].count.dials} / ${LEADS}`],
    ['DynamoDB requests: reads + writes', (_, d) => `${f2(d.reads)} + ${f2(d.writes)} = ${f2(d.reads + d.writes)}`],
    ['  in the dialer + in the webhook', (c) => split(c, (d) => d.reads + d.writes)],
    ['  GetItem / Query', (_, d) => `${f2(d.get)} / ${f2(d.query)}`],
    ['  PutItem / UpdateItem / DeleteItem', (_, d) => `${f2(d.put)} / ${f2(d.update)} / ${f2(d.del)}`],
    ['  Batch*, Transact*, Scan', (_, d) => f2(d.other)],
    ['write units: table + due index = WCU', (_, d) => `${f2(d.tableWcu)} + ${f2(d.indexWcu)} = ${f2(d.wcu)}`],
    ['read units (RCU, strongly consistent)', (_, d) => f2(d.rcu)],
    ['failed conditional writes', (_, d) => f2(d.conditionFailures)],
    ['Scheduler CreateSchedule', (_, d) => f2(d.schedCreate)],
    ['  in the dialer + in the webhook', (c) => split(c, (d) => d.schedCreate)],
    ['Scheduler DeleteSchedule (already fired)', (_, d) => `${f2(d.schedDelete)} (${f2(d.schedDeleteNotFound)})`],
    ['  in the dialer + in the webhook', (c) => split(c, (d) => d.schedDelete)],
    ['Scheduler invocations (into the dial queue)', (_, d) => f2(d.schedInvocations)],
    ['dial queue SendMessage (near attempts, wakes)', (_, d) => f2(d.dialSends)],
    ['queue sends: by the Scheduler + dialers + CRM outbox', (_, d) => `${f2(d.schedInvocations)} + ${f2(d.dialSends)} + ${f2(d.outboxSends)} = ${f2(d.queueSends)}`],
    ['Bland POST /v1/calls, GET /v1/calls/{id}', (_, d) => `${f2(d.blandPost)}, ${f2(d.blandGet)}`],
    ['Convoso lookups', (_, d) => f2(d.convoso)],
    ['client CPU per dial (user + system)', (c) => `${f2(cpu(c))} ms`],
    ['baseline: one PutItem of a lead item', (c) => `${f2(put(c))} ms`],
    ['ratio: a dial costs N PutItems of CPU', (c) => `${fixed(cpu(c) / put(c), 1)}x`],
  ];
  const width = Math.max(...rows.map(([n]) => n.length)) + 2;
  console.log(`  ${'per dial (schedule firing → dial → webhook outcome)'.padEnd(width + 4)}${'minimal'.padStart(22)}${'production'.padStart(26)}`);
  for (const [name, fmt] of rows) console.log(`  ${name.padEnd(width + 4)}${fmt('minimal', m).padStart(22)}${fmt('production', p).padStart(26)}`);
  console.log('  hot keys: units per dial on the busiest single partition key of each kind (minimal | production)');
  const kinds = [...new Set([...Object.keys(m.hot), ...Object.keys(p.hot)])].filter((k) => k !== 'LEAD#…' && k !== 'CALL#…').sort();
  for (const kind of kinds) {
    const u = (d: PerDial) => `${f2(d.hot[kind]?.w ?? 0)} WCU ${f2(d.hot[kind]?.r ?? 0)} RCU`;
    console.log(`    ${kind.padEnd(22)} ${u(m).padStart(20)} | ${u(p).padStart(20)}`);
  }
  const mi = per(passes.minimal.count.intake, LEADS);
  const pi = per(passes.production.count.intake, LEADS);
  console.log(`  per new lead at intake (minimal | production): ${f2(mi.reads)} | ${f2(pi.reads)} reads, ${f2(mi.writes)} | ${f2(pi.writes)} writes, ${f2(mi.wcu)} | ${f2(pi.wcu)} WCU, ${f2(mi.rcu)} | ${f2(pi.rcu)} RCU, ${f2(mi.schedCreate)} | ${f2(pi.schedCreate)} CreateSchedule; CPU ${f2(passes.minimal.time.cpuIntakeMs / LEADS)} | ${f2(passes.production.time.cpuIntakeMs / LEADS)} ms`);
  const dup = per(passes.production.count.duplicates, DUPLICATES);
  console.log(`  per duplicate webhook (production): ${f2(dup.reads)} reads, ${f2(dup.rcu)} RCU, ${f2(dup.writes)} writes`);
  const prod = passes.production.count;
  console.log(`  lead item ${prod.leadItemBytes} bytes as JSON; app log lines ${fixed((prod.day.get('log.bytes') ?? 0) / Math.max(1, prod.dials), 0)} bytes per dial; results (production): ${[...prod.results].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  cost model (PER_DIAL in lambdas/domain/cost-model.ts): ${PER_DIAL.dynamoWriteUnits} WCU, ${PER_DIAL.dynamoReadUnits} RCU, ${PER_DIAL.schedulerInvocations} Scheduler invocation; measured (production): ${f2(p.wcu)} WCU, ${f2(p.rcu)} RCU, ${f2(p.schedInvocations)} invocation`);

  const modelGoal = 'the cost model counts it (within 5%; issue 8)';
  const vsModel = (measure: string, figure: number, model: number, unit: string, estimate: number): BenchRow => ({
    measure, figure: `${f2(figure)} ${unit}`, baseline: `${model} ${unit} (cost model)`, ratio: `${f2(figure / model)}x`, goal: modelGoal,
    met: Math.abs(figure - model) <= 0.05 * model, recorded: `${estimate} ${unit}, estimated from the code (issue 6)`,
  });
  writeBenchResult('ops', { BENCH_OPS_LEADS: LEADS, BENCH_OPS_POOL: POOL }, [
    vsModel('ops: WCU per dial (production)', p.wcu, PER_DIAL.dynamoWriteUnits, 'WCU', 14),
    vsModel('ops: RCU per dial (production)', p.rcu, PER_DIAL.dynamoReadUnits, 'RCU', 5),
    { measure: 'ops: DynamoDB requests per dial (minimal, production)', figure: `${f2(m.reads + m.writes)}, ${f2(p.reads + p.writes)}`, baseline: '', ratio: '', goal: '', met: null, recorded: '' },
    { measure: 'ops: Scheduler calls per dial (production)', figure: `${f2(p.schedCreate)} create, ${f2(p.schedDelete)} delete`, baseline: '', ratio: '', goal: '', met: null, recorded: '' },
    ...(['minimal', 'production'] as const).map((c): BenchRow => ({
      measure: `ops: client CPU per dial (${c})`, figure: `${f2(cpu(c))} ms`, baseline: `${f2(put(c))} ms (1 PutItem)`, ratio: `${fixed(cpu(c) / put(c), 1)}x`,
      goal: '', met: null, recorded: '',
    })),
  ], {
    perDial: { minimal: m, production: p },
    perDialByFunction: Object.fromEntries((['minimal', 'production'] as const).map((c) => [c, { dialer: all(c, 'dialer'), webhook: all(c, 'webhook') }])),
    perLeadAtIntake: { minimal: mi, production: pi },
    perDuplicateWebhook: dup,
    cpuMsPerDial: { minimal: cpu('minimal'), production: cpu('production') },
    cpuMsPerPutItem: { minimal: put('minimal'), production: put('production') },
    dials: { minimal: passes.minimal.count.dials, production: prod.dials },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
