import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeAcceptLead } from '../lambdas/app/accept-lead';
import { makeDialLead } from '../lambdas/app/dial-lead';
import { loopDeps, type LoopEvent } from '../lambdas/app/loop-deps';
import { makeRecordCallOutcome } from '../lambdas/app/record-call-outcome';
import { makeSweep } from '../lambdas/app/sweep';
import { makeWatchdog } from '../lambdas/app/watchdog';
import type { Config } from '../lambdas/config/config';
import { json, safeEqual, type HttpRequest, type HttpResponse } from '../lambdas/http/http';
import { makeBlandSmsWebhookRoute, makeBlandWebhookRoute, makeIntakeRoute, makeLeadDataToolRoute } from '../lambdas/http/routes';
import type { AttemptScheduler, DialMessage } from '../lambdas/ports/attempt-scheduler';
import type { Clock } from '../lambdas/ports/clock';
import { startBlandSim, type BlandSim, type BlandSimOptions } from '../sim/bland-sim';
import { startConvosoSim, type ConvosoSim, type ConvosoSimOptions } from '../sim/convoso-sim';
import { demoCrmLeads, demoHistory } from '../sim/demo-history';
import { makeBackfillStatus, makeBackfillSteps } from '../lambdas/app/backfill';
import { systemClock } from '../lambdas/adapters/system-clock';
import { makeRepeatSummarizer } from './repeat-summarizer';
import { DynamoBackfillStore } from '../lambdas/adapters/aws/backfill-store.dynamodb';
import { FsArtifactStore } from '../lambdas/adapters/local/artifacts.fs';
import { RateLimitedCrm, TokenBucket } from '../lambdas/adapters/rate-limit';
import type { RetryOptions } from '../lambdas/adapters/http-retry';
import { BackfillRequestError, makeLocalBackfill, type StateMachineDefinition } from './local-backfill';
import { DynamoLeadStore } from '../lambdas/adapters/aws/lead-store.dynamodb';
import { MemoryMetrics } from '../lambdas/adapters/local/metrics.memory';
import { DynamoBlockList } from '../lambdas/adapters/aws/blocklist.dynamodb';
import { DynamoCapacityStore } from '../lambdas/adapters/aws/dial-capacity.dynamodb';
import { pacingRules } from '../lambdas/app/pacing';
import { DynamoCallerIdStore } from '../lambdas/adapters/aws/caller-ids.dynamodb';
import { METRIC } from '../lambdas/ports/metrics';
import { BlandVoiceAgent } from '../lambdas/adapters/bland/voice-agent.bland';
import { ConvosoCrm } from '../lambdas/adapters/convoso/crm.convoso';
import { FsArchive } from '../lambdas/adapters/local/archive.fs';
import { LocalAttemptScheduler } from '../lambdas/adapters/local/attempt-scheduler.local';
import { LocalDialQueue } from '../lambdas/adapters/local/dial-queue.local';
import { LocalQueue } from '../lambdas/adapters/local/queue.local';
import { makeCrmWriteBack } from '../lambdas/app/crm-write-back';
import { makeAdminRoute } from '../lambdas/http/admin-routes';
import { makeReplayArchive } from '../lambdas/http/replay';
import { makeRecordLeadData } from '../lambdas/app/lead-data';
import { makeRecordInboundSms, makeSendSmsStep } from '../lambdas/app/sms-follow-up';
import type { CrmWriteMessage } from '../lambdas/ports/crm-outbox';
import { startLocalDynamo, type LocalDynamo } from '../lambdas/adapters/local/dynalite';

/**
 * The embedded local runtime: the same use cases and HTTP routes as on AWS, on dynalite (persisted under dataDir),
 * the local scheduler and queue, and the Bland and Convoso simulators on loopback. Nothing leaves the machine.
 */

/** A clock that runs `speed` times faster than real time from a chosen start. */
/**
 * What `npm start` adds to the defaults so the contact-rate features show against the simulators: a caller-ID pool of
 * three numbers, an SMS from-number and a small Bland plan. REDIAL_CONFIG sections replace these (e.g. `{"sms":{"fromNumber":null}}`).
 */
export const LOCAL_DEMO_CONFIG = {
  callerIds: { numbers: [{ number: '+12125550001' }, { number: '+13055550002' }, { number: '+15125550003' }] },
  sms: { fromNumber: '+18005550100' },
  // A small plan, so the pacer is seen at work: Bland Build's hourly and daily caps with 10 calls at once.
  pacer: { plan: 'build', concurrency: 10 },
};

/** The Bland plan the simulator enforces: the limits the pacer is configured with. */
export function simPlan(config: Config): { concurrency: number; perHour?: number; perDay?: number } {
  const { limits } = pacingRules(config);
  return { concurrency: limits.concurrency, ...(limits.perHour !== null ? { perHour: limits.perHour } : {}), ...(limits.perDay !== null ? { perDay: limits.perDay } : {}) };
}

export class ScaledClock implements Clock {
  private readonly realStart = Date.now();
  constructor(private readonly simStart: number, private readonly speed: number) {}
  now(): number {
    return this.simStart + (Date.now() - this.realStart) * this.speed;
  }
}

export interface LocalRuntimeOptions {
  readonly config: Config;
  readonly dataDir: string;
  readonly port?: number;
  readonly speed?: number;
  readonly startAt?: number;
  readonly clock?: Clock;
  /** Local-only keys (not secrets): the intake key and the webhook signing secret the simulator uses. */
  readonly apiKey?: string;
  readonly webhookSecret?: string;
  /** The key the mid-call tool endpoint takes (default `local-tools-key`, local only). */
  readonly toolsApiKey?: string;
  readonly bland?: Partial<BlandSimOptions>;
  readonly convoso?: Partial<ConvosoSimOptions>;
  /** The Convoso simulator learns every lead posted to /leads, as Convoso knows the leads it sends (npm start). */
  readonly crmKnowsPostedLeads?: boolean;
  /** The write-back's Convoso client retries (tests: fast). */
  readonly writeBackRetry?: RetryOptions;
  /** Serve a seeded call history for every day before the start (npm start), with its numbers in Convoso. */
  readonly demoHistory?: boolean;
  /** Backfill: retry waits of the state machine (default: the definition's 2-32 s), a definition already synthesized. */
  readonly backfill?: { readonly retryIntervalMs?: number; readonly definition?: () => StateMachineDefinition; readonly crmRetry?: RetryOptions };
  /** How often (real ms) the loop looks for due schedules and queued messages; 0 = never (tests call loopOnce). */
  readonly tickMs?: number;
  readonly log?: (line: string) => void;
  /**
   * Simulators started by the caller (they outlive this runtime: a restart on the same dataDir and port keeps the
   * calls in flight and their webhooks). Not stopped by `stop()`.
   */
  readonly sims?: { readonly bland: BlandSim; readonly convoso: ConvosoSim };
  /**
   * A database started by the caller (it stands for DynamoDB, which outlives any process: a restart of the runtime on
   * it keeps every item). Not stopped by `stop()`; dataDir still holds the archive and artifacts.
   */
  readonly dynamo?: LocalDynamo;
  /** The loop's Convoso client retries (pre-dial check, inbound lookups; tests: fast). */
  readonly crmRetry?: RetryOptions;
  /** The Bland client's retries (tests: no real sleeping on 429). */
  readonly blandRetry?: RetryOptions;
  /** False: fresh leads and callbacks share the dial queue with every other attempt (a benchmark's "priority off"). */
  readonly priorityLane?: boolean;
  /** Wraps the ports the loop's use cases see (fault injection in tests); the admin API and scheduler keep the real ones. */
  readonly wrapPorts?: { readonly store?: (store: DynamoLeadStore) => DynamoLeadStore; readonly scheduler?: (scheduler: AttemptScheduler) => AttemptScheduler };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startLocalRuntime(options: LocalRuntimeOptions) {
  const speed = options.speed ?? 1;
  const clock = options.clock ?? new ScaledClock(options.startAt ?? Date.now(), speed);
  const log = options.log ?? (() => undefined);
  const apiKey = options.apiKey ?? 'local-dev-key';
  const webhookSecret = options.webhookSecret ?? 'local-webhook-secret';

  // Everything started is stopped again if a later step fails, so a failed start leaks no server.
  const started: (() => Promise<void>)[] = [];
  try {
    return await start();
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw error;
  }

  async function start() {
    const dynamo = options.dynamo ?? await startLocalDynamo({ path: join(options.dataDir, 'db'), tableName: 'redial-local' });
    if (!options.dynamo) started.push(() => dynamo.stop());
    const metrics = new MemoryMetrics();
    const store = new DynamoLeadStore(dynamo.doc, dynamo.tableName, {
      reportingZone: options.config.reporting.zone,
      onCounterError: (error) => {
        log(`cohort counter write failed: ${error.message}`);
        metrics.add(METRIC.counterWriteFailures, 1);
      },
    });
    const archive = new FsArchive(join(options.dataDir, 'archive'));
    const queue = new LocalDialQueue(5, () => clock.now());
    // Fresh leads' first calls and callbacks: their own queue and pool, as on AWS (lib/dialer.ts).
    const priorityQueue = new LocalDialQueue(5, () => clock.now());
    const priorityLane = options.priorityLane ?? true;
    const toQueue = (m: DialMessage) => (m.lane === 'priority' && priorityLane ? priorityQueue : queue).send(m);
    const crmOutbox = new LocalQueue<CrmWriteMessage>();
    const scheduler = new LocalAttemptScheduler(store, toQueue, clock);
    const resumed = await scheduler.resume();

    const bland = options.sims?.bland ?? await startBlandSim({
      apiKey: 'sim-bland-key', webhookSecret, seed: 42, talkMs: Math.max(20, 45_000 / speed), dropRate: 0.03, duplicateRate: 0.03,
      ratePerSecond: 5, now: () => clock.now(), ...(options.demoHistory ? { history: demoHistory(clock.now()) } : {}),
      // The simulated account has the plan the pacer is set to, so a pacer that let a dial through too many would be
      // answered 429 as Bland would.
      plan: simPlan(options.config),
      ...options.bland,
    });
    if (!options.sims) started.push(() => bland.stop());
    const convoso = options.sims?.convoso ?? await startConvosoSim({ authToken: 'sim-convoso-token', ...options.convoso });
    if (!options.sims) started.push(() => convoso.stop());
    if (options.demoHistory) for (const [phone, lead] of demoCrmLeads()) convoso.addLead(phone, lead);

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    let ids = 0;
    const agent = new BlandVoiceAgent({ baseUrl: bland.url, apiKey: 'sim-bland-key', task: 'Local simulation', maxDurationMinutes: options.config.dialer.maxDurationMinutes, webhookUrl: `${url}/webhooks/bland` }, options.blandRetry);
    const deps = loopDeps({
      store: options.wrapPorts?.store?.(store) ?? store,
      scheduler: options.wrapPorts?.scheduler?.(scheduler) ?? scheduler,
      dialQueue: queue,
      priorityDialQueue: priorityLane ? priorityQueue : null,
      agent,
      crm: new ConvosoCrm({ baseUrl: convoso.url, authToken: 'sim-convoso-token' }, options.crmRetry),
      crmOutbox,
      crmParked: store,
      clock,
      newId: () => `${clock.now().toString(36)}-${(++ids).toString(36)}`,
      config: options.config,
      metrics,
      blocklist: new DynamoBlockList(dynamo.doc, dynamo.tableName),
      capacity: new DynamoCapacityStore(dynamo.doc, dynamo.tableName),
      callerIds: new DynamoCallerIdStore(dynamo.doc, dynamo.tableName),
      sms: agent,
      callLog: agent,
      log: (e: LoopEvent) => log(`${new Date(clock.now()).toISOString().slice(0, 16)}Z  ${e.phone}  ${e.event.padEnd(14)} ${e.detail}${e.nextAttemptAt ? `  → next ${e.nextAttemptAt.slice(0, 16)}Z` : ''}`),
    });
    const dial = makeDialLead(deps);
    // Bound once the public routes exist (below): the admin API's replay re-feeds bodies through them.
    let replayArchive: ReturnType<typeof makeReplayArchive> | null = null;
    const sharedAdmin = makeAdminRoute({ loop: deps, apiKey, who: 'admin api (local)', parked: store, reports: store, replayArchive: (input) => replayArchive!(input) });
    // One line for the first parked write, then a count every 30 s: a lead Convoso lacks parks every call's write.
    const parkedLines = makeRepeatSummarizer(log, 'crm write-back: writes parked for leads the CRM does not have', { everyMs: 30_000, now: () => performance.now(), hint: 'npx redial crm-replay sends them again' });
    const parkedTimer = setInterval(() => parkedLines.flush(), 30_000);
    parkedTimer.unref();
    const stopParkedLines = () => {
      clearInterval(parkedTimer);
      parkedLines.flush();
    };
    started.push(async () => stopParkedLines());
    const writeBack = makeCrmWriteBack({
      crm: new ConvosoCrm({ baseUrl: convoso.url, authToken: 'sim-convoso-token', dncCampaignId: options.config.crm.writeBack.dncCampaignId }, options.writeBackRetry),
      parked: store, clock, log, logParked: parkedLines, terminalStatuses: options.config.crm.terminalStatuses,
    });
    const watchdog = makeWatchdog(deps);
    const sweep = makeSweep(deps);
    const recordCallOutcome = makeRecordCallOutcome(deps);
    // Backfill: the synthesized state machine run in-process, every Task bound to the same step entry as the Lambda.
    const runs = new DynamoBackfillStore(dynamo.doc, dynamo.tableName);
    const artifacts = new FsArtifactStore(join(options.dataDir, 'artifacts'));
    const acceptLead = makeAcceptLead(deps);
    const crm = new ConvosoCrm({ baseUrl: convoso.url, authToken: 'sim-convoso-token' }, options.backfill?.crmRetry);
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const runStep = makeBackfillSteps((maxConcurrency) => ({
      config: options.config, clock, calls: agent, leads: store, runs, artifacts, acceptLead,
      // The bucket meters real time: the simulator's rate limit is real time too.
      crm: new RateLimitedCrm(crm, new TokenBucket(options.config.backfill.crmRatePerSecond / maxConcurrency, 1, () => performance.now(), sleep)),
      log, wall: systemClock,
    }));
    // The ETA an operator reads is wall-clock time, whatever the simulated clock's speed.
    const backfillStatus = makeBackfillStatus({ runs, clock, wall: systemClock });
    const backfill = makeLocalBackfill({
      runStep, status: backfillStatus, getRun: (runId) => runs.getRun(runId), now: () => clock.now(), log,
      retryIntervalMs: options.backfill?.retryIntervalMs, definition: options.backfill?.definition,
    });
    const adminRoute = async (req: HttpRequest): Promise<HttpResponse> => {
      if (!safeEqual(req.headers['x-api-key'] ?? '', apiKey)) return json(401, { error: 'missing or wrong X-API-Key' });
      const resume = /^\/admin\/backfill\/([^/]+)\/resume$/.exec(req.path);
      const one = /^\/admin\/backfill\/([^/]+)$/.exec(req.path);
      try {
        if (req.method === 'POST' && req.path === '/admin/backfill') {
          let input: unknown;
          try {
            input = JSON.parse(req.body || '{}');
          } catch {
            return json(400, { error: 'body: not valid JSON' });
          }
          if (typeof input !== 'object' || input === null || Array.isArray(input)) return json(400, { error: 'body: must be a JSON object' });
          return json(202, await backfill.start(input as Record<string, unknown>));
        }
        if (req.method === 'POST' && resume) return json(202, await backfill.resume(decodeURIComponent(resume[1]!)));
        const shared = await sharedAdmin(req);
        if (shared) return shared;
        if (req.method === 'GET' && one) {
          const status = await backfill.status(decodeURIComponent(one[1]!));
          return status ? json(200, status) : json(404, { error: `no backfill run ${one[1]}` });
        }
      } catch (error) {
        if (error instanceof BackfillRequestError) return json(400, { error: error.message });
        throw error;
      }
      return json(404, { error: `no route ${req.method} ${req.path}` });
    };

    // Convoso knows the leads it sends through Zapier: the simulator is told of each lead posted here (its CRM ids if
    // the body has them), so the pre-dial check finds it and write-backs update it instead of parking.
    let zapierIds = 0;
    const knownToCrm = (accept: ReturnType<typeof makeAcceptLead>): ReturnType<typeof makeAcceptLead> => async (intake) => {
      const result = await accept(intake);
      if (!convoso.hasLead(result.phone)) {
        convoso.addLead(result.phone, { id: intake.crmLeadId ?? `zap-${++zapierIds}`, listId: intake.crmListId ?? 'zapier', status: 'NEW', ...(intake.firstName ? { firstName: intake.firstName } : {}) });
      }
      return result;
    };
    const publicRoutes = {
      'POST /leads': makeIntakeRoute({ archive, clock, metrics, apiKey, acceptLead: options.crmKnowsPostedLeads ? knownToCrm(makeAcceptLead(deps)) : makeAcceptLead(deps) }),
      'POST /tools/lead-data': makeLeadDataToolRoute({ archive, clock, metrics, apiKey: options.toolsApiKey ?? 'local-tools-key', recordLeadData: makeRecordLeadData(deps) }),
      'POST /webhooks/bland-sms': makeBlandSmsWebhookRoute({ archive, clock, metrics, secret: webhookSecret, recordInboundSms: makeRecordInboundSms(deps) }),
      'POST /webhooks/bland': makeBlandWebhookRoute({ archive, clock, metrics, secret: webhookSecret, recordCallOutcome }),
    };
    const routes: Record<string, (req: HttpRequest) => Promise<HttpResponse>> = publicRoutes;
    replayArchive = makeReplayArchive({ archive, routes: Object.values(publicRoutes), log, elapsedMs: () => performance.now() });

    // Requests being handled: stop() waits for them before it closes the database under them.
    let handling = 0;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      handling++;
      void (async () => {
        const parsedUrl = new URL(req.url ?? '/', 'http://local');
        const path = parsedUrl.pathname;
        const query = Object.fromEntries(parsedUrl.searchParams);
        let response: HttpResponse;
        try {
          const route = routes[`${req.method} ${path}`];
          const lead = /^\/leads\/([^/]+)$/.exec(path);
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]));
          if (route) {
            response = await route({ method: req.method ?? 'GET', path, headers, body: await readBody(req) });
          } else if (path.startsWith('/admin/')) {
            response = await adminRoute({ method: req.method ?? 'GET', path, headers, body: await readBody(req), query });
          } else if (req.method === 'GET' && path === '/health') {
            response = json(200, { ok: true, now: new Date(clock.now()).toISOString(), pending: scheduler.list().length });
          } else if (req.method === 'GET' && lead) {
            const found = await store.get(decodeURIComponent(lead[1]!));
            response = found ? json(200, { lead: found, attempts: await store.listAttempts(found.phone) }) : json(404, { error: 'no such lead' });
          } else {
            response = json(404, { error: `no route ${req.method} ${path}` });
          }
        } catch (error) {
          // Paths can hold a phone number (/admin/leads/+1...): digits masked in the log.
          log(`error ${req.method} ${path.replace(/\d(?=\d{4})/g, '*')}: ${(error as Error).message}`);
          response = json(500, { error: 'internal error' });
        }
        res.writeHead(response.statusCode, response.headers);
        res.end(response.body);
      })().finally(() => {
        handling--;
      });
    });

    const sendSmsStep = makeSendSmsStep(deps);
    const handle = async (message: DialMessage) => {
      if (message.kind === 'dial') await dial(message);
      else if (message.kind === 'sms') await sendSmsStep(message);
      else await watchdog(message);
    };
    let busy = false;
    let priorityBusy = false;
    const concurrency = options.config.dialer.dispatchConcurrency;
    /** The priority lane's pool: drained on its own, so a long drain of the dial queue (a wave) never holds it. */
    const drainPriority = async () => {
      if (priorityBusy) return;
      priorityBusy = true;
      try {
        await priorityQueue.drain(handle, concurrency);
      } catch (error) {
        log(`loop error: ${(error as Error).message}`);
      } finally {
        priorityBusy = false;
      }
    };
    let lastSweep = clock.now();
    const loopOnce = async () => {
      if (busy) return;
      busy = true;
      try {
        await scheduler.tick();
        // A pool of dialer instances, as SQS feeds several Lambdas at once (lib/dialer.ts: maxConcurrency).
        await Promise.all([drainPriority(), queue.drain(handle, concurrency)]);
        // The CRM writer's pool (on AWS its own consumer, 2 × batches of 10 in flight): write-backs one at a time held
        // the next pass of the dial queue behind every Convoso answer.
        await crmOutbox.drain(async (message) => {
          await writeBack(message);
        }, concurrency);
        if (clock.now() - lastSweep >= 5 * 60_000) {
          lastSweep = clock.now();
          await sweep();
        }
      } catch (error) {
        log(`loop error: ${(error as Error).message}`);
      } finally {
        busy = false;
      }
    };
    const tickMs = options.tickMs ?? 200;
    const timer = tickMs > 0 ? setInterval(() => {
      void loopOnce();
      void drainPriority();
    }, tickMs) : null;

    /** Every dial-queue message and schedule waiting, soonest first: what will reach the dialer, and when. */
    const pending = () => [
      ...scheduler.list().map((s) => ({ at: s.at, message: s.message, via: 'scheduler' as const })),
      ...queue.list().map((q) => ({ at: q.readyAt, message: q.message, via: 'queue' as const })),
      ...priorityQueue.list().map((q) => ({ at: q.readyAt, message: q.message, via: 'queue' as const })),
    ].sort((a, b) => a.at - b.at);
    return {
      url,
      apiKey,
      clock,
      store,
      scheduler,
      queue,
      priorityQueue,
      pending,
      /** The next instant a schedule fires or a delayed message becomes ready, or null. */
      nextAt: () => pending()[0]?.at ?? null,
      /**
       * The lead's live dial attempts: pending dials for its current token (a queued message for a replaced token is
       * stale, dropped when it arrives). An active lead has exactly one, unless its call is in progress.
       */
      async liveDials(phone: string) {
        const lead = await store.get(phone);
        return pending().filter((p) => p.message.kind === 'dial' && p.message.phone === phone && lead?.status === 'ACTIVE' && p.message.scheduleToken === lead.scheduleToken);
      },
      bland,
      convoso,
      resumed,
      loopOnce,
      sweep,
      backfill,
      runs,
      crmOutbox,
      metrics,
      archive,
      async stop() {
        if (timer) clearInterval(timer);
        const idle = async (busyNow: () => boolean) => {
          while (busyNow()) await new Promise((r) => setTimeout(r, 10));
        };
        // Nothing may touch the database once it is closed: the loop's passes, both dial pools and every request
        // being handled finish first (the simulators stop first, so no webhook arrives meanwhile).
        await idle(() => busy || priorityBusy);
        stopParkedLines();
        if (!options.sims) {
          await bland.stop();
          await convoso.stop();
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await idle(() => handling > 0);
        server.closeAllConnections();
        await closed;
        await idle(() => busy || priorityBusy);
        if (!options.dynamo) await dynamo.stop();
      },
    };
  }
}

export type LocalRuntime = Awaited<ReturnType<typeof startLocalRuntime>>;
