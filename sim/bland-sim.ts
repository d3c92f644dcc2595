import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './random';

/**
 * A Bland AI simulator on loopback for `npm start`, the tests and the benchmarks. It accepts POST /v1/calls,
 * "talks" for a while, then posts a realistic, signed call-ended webhook with an outcome drawn from a seeded
 * distribution; it sometimes drops or duplicates the webhook, serves GET /v1/calls and GET /v1/calls/{id}, and
 * answers 429 above its rate limit. Field names follow docs/bland.md.
 */
export type SimOutcome = 'voicemail' | 'no-answer' | 'busy' | 'transferred' | 'callback' | 'sale' | 'dnc' | 'not-interested';

export interface BlandSimOptions {
  readonly apiKey: string;
  readonly webhookSecret?: string | undefined;
  readonly seed?: number;
  /** Real milliseconds a call lasts before its webhook (the local runtime divides by --speed). */
  readonly talkMs?: number;
  readonly weights?: Partial<Record<SimOutcome, number>>;
  readonly dropRate?: number;
  readonly duplicateRate?: number;
  /** Calls accepted per second; above it, 429. */
  readonly ratePerSecond?: number;
  /**
   * The account's plan, enforced like Bland's API with 429s (docs/bland.md): calls in progress at once, calls started
   * per UTC hour and per UTC day (the simulated clock). Absent = no plan caps.
   */
  readonly plan?: { readonly concurrency?: number; readonly perHour?: number; readonly perDay?: number };
  /** A second call to one number within this many (simulated) ms is refused with 429, as Bland does (10 s); 0 = off. */
  readonly sameNumberMs?: number;
  /** The simulated "now" for created_at (defaults to the real clock). */
  readonly now?: () => number;
  /** Scripted outcomes by call index (overrides the weights), for deterministic tests. */
  readonly outcomeFor?: (index: number) => SimOutcome;
  /**
   * Call history served by GET /v1/calls besides the calls placed here: the calls of one UTC day (`YYYY-MM-DD`),
   * oldest first. Generated on demand (the last 64 days requested are kept), so the history need not exist up front.
   */
  readonly history?: (utcDay: string) => readonly HistoryCall[];
  /** GET /v1/calls/{id} for a call of the history (its full record, e.g. a DNC request), or null if unknown. */
  readonly historyCall?: (callId: string) => Record<string, unknown> | null;
  /**
   * Faults on POST /v1/calls, drawn per request: a status (500/503: no call; 429: rate limited) or `lost-answer` (the
   * call is placed, then the connection is cut before the answer: what a client timeout looks like). null = normal.
   */
  readonly callFault?: () => CallFault | null;
  /** Simulated ms to hold a call's webhook after the call ends (delayed, so later ones overtake it); 0 = at once. */
  readonly webhookDelayMs?: (call: SimCall) => number;
}

export type CallFault = 500 | 503 | 429 | 'lost-answer';

/** One row of GET /v1/calls (docs/bland.md: the list carries metadata, not transcripts). */
export interface HistoryCall {
  readonly call_id: string;
  readonly created_at: string;
  readonly to: string;
  readonly from: string;
  readonly inbound: boolean;
  readonly completed: boolean;
  readonly call_length: number;
  readonly answered_by: string | null;
}

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface SimCall {
  readonly callId: string;
  readonly request: Record<string, unknown>;
  readonly outcome: SimOutcome;
  readonly placedAt: number;
  body: Record<string, unknown> | null;
  webhook: 'sent' | 'dropped' | 'duplicated' | 'pending' | 'failed' | 'delayed';
  /** The webhook was held this long (simulated ms) before it was sent. */
  delayedMs?: number;
  /** Which call to this number it is (1 = the first): the key of its seeded draws. */
  readonly nth?: number;
}

const DEFAULT_WEIGHTS: Record<SimOutcome, number> = {
  voicemail: 30, 'no-answer': 30, busy: 5, transferred: 8, callback: 7, sale: 4, dnc: 4, 'not-interested': 12,
};

function bodyFor(outcome: SimOutcome, base: Record<string, unknown>, at: number): Record<string, unknown> {
  const human = { status: 'completed', completed: true, answered_by: 'human', call_ended_by: 'USER' };
  const byOutcome: Record<SimOutcome, Record<string, unknown>> = {
    voicemail: { status: 'completed', completed: true, answered_by: 'voicemail', call_length: 0.4, disposition_tag: 'NO_CONTACT_MADE' },
    'no-answer': { status: 'no-answer', completed: true, answered_by: 'no-answer', call_length: 0 },
    busy: { status: 'busy', completed: true, answered_by: null, call_length: 0 },
    transferred: { ...human, call_length: 6.5, disposition_tag: 'TRANSFERRED', transferred_to: '+12125550100', transferred_at: new Date(at + 90_000).toISOString(), post_transfer_duration: 5, warm_transfer_call: { state: 'MERGED', proxy_agent_calls: [{ state: 'MERGED' }] } },
    callback: { ...human, call_length: 1.2, disposition_tag: 'CALL_BACK_SCHEDULED', variables: { callback_requested: true, callback_datetime: new Date(at + 26 * 3_600_000).toISOString() } },
    sale: { ...human, call_length: 9.1, disposition_tag: 'SALE' },
    dnc: { ...human, call_length: 0.3, disposition_tag: 'DO_NOT_CONTACT', summary: 'The customer asked to be placed on the do not call list.' },
    'not-interested': { ...human, call_length: 0.5, disposition_tag: 'NOT_INTERESTED' },
  };
  return { ...base, ...byOutcome[outcome], price: 0.09 * Math.max(1, Number(byOutcome[outcome].call_length ?? 0)) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startBlandSim(options: BlandSimOptions) {
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const now = options.now ?? (() => Date.now());
  const calls = new Map<string, SimCall>();
  /** Texts sent through POST /v1/sms/send, in order. */
  const texts: { to: string; from: string; text: string; at: number; idempotencyKey: string | null; conversationId: string }[] = [];
  const log: SimCall[] = [];
  const recent: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  /** Plan enforcement: calls in progress now (and the most seen), per-period starts, each 429 by the rule refused. */
  const planState = { active: 0, maxActive: 0, starts: new Map<string, number>(), lastTo: new Map<string, number>() };
  const refused = { concurrency: 0, perHour: 0, perDay: 0, sameNumber: 0, rate: 0 };
  let failNext = 0;
  /** Webhooks held by `webhookDelayMs`, sent by `releaseDue()` once the simulated clock reaches them. */
  const held: { due: number; call: SimCall; url: string; duplicate: boolean }[] = [];
  const faults = { callFaults: {} as Record<string, number> };
  let script = options.outcomeFor;
  // GET /v1/calls faults: the next N list requests fail with a status; start_dates that always fail; a page served twice.
  const listFaults = { next: [] as number[], failingDays: new Set<string>(), repeatNextPage: false, lastPage: null as unknown };
  const listStats = { requests: 0, rows: 0 };
  const dayCache = new Map<string, HistoryCall[]>();

  /**
   * Draws are keyed by the number and how many calls it has had, not by the global order of calls: dials placed at
   * once (a pool of dialers) reach the simulator in any order, and each lead must still get the same outcomes.
   */
  const callsTo = new Map<string, number>();
  const keyedRandom = (phone: string, n: number, salt: string) => {
    let h = 0x811c9dc5 ^ (options.seed ?? 1);
    for (const ch of `${phone}|${n}|${salt}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    return seededRandom(h >>> 0)();
  };
  const draw = (phone: string, n: number): SimOutcome => {
    let r = keyedRandom(phone, n, 'outcome') * total;
    for (const [outcome, w] of Object.entries(weights) as [SimOutcome, number][]) {
      if ((r -= w) < 0) return outcome;
    }
    return 'voicemail';
  };

  const postWebhook = async (url: string, payload: Record<string, unknown>) => {
    const raw = JSON.stringify(payload);
    const signature = options.webhookSecret ? createHmac('sha256', options.webhookSecret).update(raw).digest('hex') : undefined;
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-webhook-signature': signature } : {}) }, body: raw });
  };

  const finish = async (call: SimCall) => {
    const url = call.request['webhook'];
    const at = now();
    call.body = bodyFor(call.outcome, {
      call_id: call.callId, c_id: call.callId, to: call.request['phone_number'], from: call.request['from'] ?? '+13475550188',
      created_at: new Date(call.placedAt).toISOString(), end_at: new Date(at).toISOString(), inbound: false, queue_status: 'complete',
      metadata: call.request['metadata'] ?? {}, request_data: call.request['request_data'] ?? {}, summary: null, variables: {},
    }, at);
    if (typeof url !== 'string') {
      planState.active--;
      return;
    }
    const roll = keyedRandom(String(call.request['phone_number']), call.nth ?? 0, 'webhook');
    if (roll < (options.dropRate ?? 0)) {
      call.webhook = 'dropped';
      planState.active--;
      return;
    }
    const duplicate = roll < (options.dropRate ?? 0) + (options.duplicateRate ?? 0);
    const delay = options.webhookDelayMs?.(call) ?? 0;
    if (delay > 0) {
      call.webhook = 'delayed';
      call.delayedMs = delay;
      // The call lasts until its held webhook is sent (the simulated clock): it holds its place in the plan till then.
      held.push({ due: at + delay, call, url, duplicate });
      return;
    }
    planState.active--;
    await deliver(call, url, duplicate);
  };

  const deliver = async (call: SimCall, url: string, duplicate: boolean) => {
    try {
      await postWebhook(url, call.body!);
      call.webhook = 'sent';
      if (duplicate) {
        call.webhook = 'duplicated';
        await postWebhook(url, call.body!); // Bland's corrected-transcript follow-up has the same call_id
      }
    } catch {
      call.webhook = 'failed';
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== options.apiKey) return send(res, 401, { status: 'error', message: 'Invalid API key' });
    const url = new URL(req.url ?? '/', 'http://sim');
    if (req.method === 'POST' && url.pathname === '/v1/sms/send') {
      let request: Record<string, unknown>;
      try {
        request = JSON.parse(await readBody(req)) as Record<string, unknown>;
      } catch {
        return send(res, 400, { data: null, errors: [{ message: 'Invalid JSON' }] });
      }
      if (typeof request['user_number'] !== 'string' || typeof request['agent_number'] !== 'string') {
        return send(res, 400, { data: null, errors: [{ message: 'user_number and agent_number are required' }] });
      }
      // Bland's idempotency-key: the same key is the same text (sent once, same answer).
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      const seen = key ? texts.find((t) => t.idempotencyKey === key) : undefined;
      if (!seen) texts.push({ to: request['user_number'], from: request['agent_number'], text: String(request['agent_message'] ?? ''), at: now(), idempotencyKey: key, conversationId: randomUUID() });
      const text = seen ?? texts.at(-1)!;
      return send(res, 200, { data: { message: 'SMS sent successfully', conversation_id: text.conversationId }, errors: null });
    }
    if (req.method === 'POST' && url.pathname === '/v1/calls') {
      const t = Date.now();
      while (recent.length > 0 && recent[0]! <= t - 1000) recent.shift();
      if (options.ratePerSecond && recent.length >= options.ratePerSecond) {
        refused.rate++;
        return send(res, 429, { status: 'error', message: 'Rate limit exceeded' }, { 'retry-after': '1' });
      }
      if (failNext > 0) {
        failNext--;
        return send(res, 503, { status: 'error', message: 'Service unavailable' });
      }
      const fault = options.callFault?.() ?? null;
      if (fault !== null) faults.callFaults[String(fault)] = (faults.callFaults[String(fault)] ?? 0) + 1;
      if (fault === 429) return send(res, 429, { status: 'error', message: 'Rate limit exceeded' }, { 'retry-after': '1' });
      if (fault === 500 || fault === 503) return send(res, fault, { status: 'error', message: fault === 500 ? 'Internal server error' : 'Service unavailable' });
      recent.push(t);
      let request: Record<string, unknown>;
      try {
        request = JSON.parse(await readBody(req)) as Record<string, unknown>;
      } catch {
        return send(res, 400, { status: 'error', message: 'Invalid JSON' });
      }
      if (typeof request['phone_number'] !== 'string') return send(res, 400, { status: 'error', message: 'phone_number is required' });
      const to = String(request['phone_number']);
      const at = now();
      const plan = options.plan ?? {};
      const hourKey = `h${new Date(at).toISOString().slice(0, 13)}`;
      const dayKey = `d${utcDay(at)}`;
      const refuse = (rule: keyof typeof refused, message: string) => {
        refused[rule]++;
        return send(res, 429, { status: 'error', message }, { 'retry-after': '1' });
      };
      const lastTo = planState.lastTo.get(to);
      if ((options.sameNumberMs ?? 10_000) > 0 && lastTo !== undefined && at - lastTo < (options.sameNumberMs ?? 10_000)) {
        return refuse('sameNumber', 'Calls can only be sent every 10 seconds to the same number');
      }
      if (plan.concurrency !== undefined && planState.active >= plan.concurrency) return refuse('concurrency', `Concurrency limit reached (${plan.concurrency} calls at once)`);
      if (plan.perHour !== undefined && (planState.starts.get(hourKey) ?? 0) >= plan.perHour) return refuse('perHour', `Hourly call limit reached (${plan.perHour})`);
      if (plan.perDay !== undefined && (planState.starts.get(dayKey) ?? 0) >= plan.perDay) return refuse('perDay', `Daily call limit reached (${plan.perDay})`);
      planState.lastTo.set(to, at);
      planState.starts.set(hourKey, (planState.starts.get(hourKey) ?? 0) + 1);
      planState.starts.set(dayKey, (planState.starts.get(dayKey) ?? 0) + 1);
      if (planState.starts.size > 96) planState.starts.delete(planState.starts.keys().next().value!);
      planState.active++;
      planState.maxActive = Math.max(planState.maxActive, planState.active);
      const nth = (callsTo.get(to) ?? 0) + 1;
      callsTo.set(to, nth);
      const call: SimCall = { callId: randomUUID(), request, outcome: script ? script(log.length) : draw(to, nth), placedAt: now(), body: null, webhook: 'pending', nth };
      calls.set(call.callId, call);
      log.push(call);
      let done!: () => void;
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      inFlight.add(finished);
      const timer = setTimeout(() => {
        timers.delete(timer);
        void finish(call).finally(() => {
          inFlight.delete(finished);
          done();
        });
      }, options.talkMs ?? 50);
      timers.add(timer);
      // The call is placed; its answer never arrives (the client sees a reset connection, as after a timeout).
      if (fault === 'lost-answer') return void res.destroy();
      return send(res, 200, { status: 'success', message: 'Call successfully queued.', call_id: call.callId, batch_id: null });
    }
    const one = /^\/v1\/calls\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && one) {
      const call = calls.get(decodeURIComponent(one[1]!));
      const past = call ? null : options.historyCall?.(decodeURIComponent(one[1]!));
      if (past) return send(res, 200, past);
      if (!call) return send(res, 404, { status: 'error', message: 'Call not found' });
      return send(res, 200, call.body ?? { call_id: call.callId, status: 'in-progress', completed: false, queue_status: 'started' });
    }
    if (req.method === 'GET' && url.pathname === '/v1/calls') {
      listStats.requests++;
      const fault = listFaults.next.shift();
      if (fault) return send(res, fault, { status: 'error', message: fault === 429 ? 'Rate limit exceeded' : 'Internal server error' }, fault === 429 ? { 'retry-after': '1' } : {});
      const startDate = url.searchParams.get('start_date');
      if (startDate && listFaults.failingDays.has(startDate)) return send(res, 500, { status: 'error', message: 'Internal server error' });
      if (listFaults.repeatNextPage && listFaults.lastPage) {
        listFaults.repeatNextPage = false;
        return send(res, 200, listFaults.lastPage);
      }
      const from = Number(url.searchParams.get('from') ?? 0);
      const to = url.searchParams.get('to');
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 1000), to === null ? Infinity : Number(to) - from);
      const ascending = url.searchParams.get('ascending') === 'true';
      const toNumber = url.searchParams.get('to_number');
      const all = listRows(startDate, url.searchParams.get('end_date'));
      const rows = toNumber ? filtered(all, (row) => row.to === toNumber) : all;
      const total = rows.length;
      const page: HistoryCall[] = [];
      for (let i = from; i < Math.min(total, from + limit); i++) page.push(rows.at(ascending ? i : total - 1 - i));
      listStats.rows += page.length;
      const body = { total_count: total, count: page.length, calls: page };
      listFaults.lastPage = body;
      return send(res, 200, body);
    }
    return send(res, 404, { status: 'error', message: `no route ${req.method} ${url.pathname}` });
  };

  const placedRow = (c: SimCall): HistoryCall => ({
    call_id: c.callId, created_at: new Date(c.placedAt).toISOString(), to: String(c.request['phone_number']), from: String(c.request['from'] ?? '+13475550188'),
    inbound: false, completed: c.body !== null, answered_by: (c.body?.['answered_by'] as string | null | undefined) ?? null, call_length: Number(c.body?.['call_length'] ?? 0),
  });
  const historyOf = (day: string): HistoryCall[] => {
    let rows = dayCache.get(day);
    if (!rows) {
      rows = [...(options.history?.(day) ?? [])];
      dayCache.set(day, rows);
      // Every day a range request touches is read on every page: keep a range's worth (64 days) generated.
      if (dayCache.size > 64) dayCache.delete(dayCache.keys().next().value!);
    }
    return rows;
  };
  /** The rows of an inclusive UTC day range (or every placed call), oldest first, without copying the days. */
  const listRows = (startDate: string | null, endDate: string | null) => {
    const parts: HistoryCall[][] = [];
    if (startDate) {
      const first = Date.parse(`${startDate}T00:00:00Z`);
      const last = Date.parse(`${endDate ?? startDate}T00:00:00Z`);
      for (let t = first; t <= last; t += DAY_MS) {
        const day = utcDay(t);
        const placed = log.filter((c) => utcDay(c.placedAt) === day).map(placedRow);
        parts.push(placed.length === 0 ? historyOf(day) : [...historyOf(day), ...placed].sort((a, b) => a.created_at.localeCompare(b.created_at)));
      }
    } else {
      parts.push(log.map(placedRow));
    }
    const length = parts.reduce((n, p) => n + p.length, 0);
    return {
      length,
      at(index: number): HistoryCall {
        for (const part of parts) {
          if (index < part.length) return part[index]!;
          index -= part.length;
        }
        throw new RangeError('row index out of range');
      },
    };
  };

  const filtered = (rows: { length: number; at(i: number): HistoryCall }, keep: (row: HistoryCall) => boolean) => {
    const kept: HistoryCall[] = [];
    for (let i = 0; i < rows.length; i++) if (keep(rows.at(i))) kept.push(rows.at(i));
    return { length: kept.length, at: (i: number) => kept[i]! };
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { status: 'error', message: (error as Error).message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: log,
    texts,
    failNext: (n: number) => {
      failNext = n;
    },
    /** GET /v1/calls faults: fail the next requests with these statuses, always fail some UTC days, serve a page twice. */
    listFaults: {
      failNext: (...statuses: number[]) => {
        listFaults.next.push(...statuses);
      },
      failDay: (day: string, failing = true) => {
        if (failing) listFaults.failingDays.add(day);
        else listFaults.failingDays.delete(day);
      },
      repeatNextPage: () => {
        listFaults.repeatNextPage = true;
      },
    },
    listStats,
    /** Replaces the outcome script (deterministic tests). */
    script: (next: (index: number) => SimOutcome) => {
      script = next;
    },
    /** Faults injected so far by `callFault`, by kind. */
    faults,
    /** Calls refused with 429 by each plan rule (and the per-second rate). */
    refused,
    /** Calls in progress now, and the most at once so far (the plan's concurrency in use). */
    get activeCalls(): number {
      return planState.active;
    },
    get maxActiveCalls(): number {
      return planState.maxActive;
    },
    /** Webhooks held back (delayed), not yet sent. */
    get heldWebhooks(): number {
      return held.length;
    },
    /** Sends the held webhooks whose time has come (simulated clock), oldest first; resolves when they were posted. */
    releaseDue: async () => {
      const due = held.filter((h) => h.due <= now()).sort((a, b) => a.due - b.due);
      for (const h of due) held.splice(held.indexOf(h), 1);
      planState.active -= due.length;
      for (const h of due) await deliver(h.call, h.url, h.duplicate);
      return due.length;
    },
    /** Resolves once every call placed so far has ended and its webhook (if any) was delivered. */
    settle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export type BlandSim = Awaited<ReturnType<typeof startBlandSim>>;
