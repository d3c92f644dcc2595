import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Archive } from '../ports/archive';
import type { PublicRoute } from './routes';

/**
 * Replay (docs/operations.md): archived inbound bodies re-fed through the same route processing, oldest first, a page
 * at a time (API Gateway gives a request 30 s: a page also stops after 20 s of work). Only bodies whose key or signature
 * checked out when they arrived are replayed (a webhook taken while no secret was set was not checked: never); mid-call
 * tool bodies only when named; nothing is archived again. The use cases are idempotent (an existing lead keeps its attempt, a recorded
 * call is a duplicate, a text's id is seen once), so replaying a range twice changes nothing the first replay did not.
 */

export class ReplayRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayRequestError';
  }
}

/** Longest range one replay request covers. */
export const MAX_REPLAY_DAYS = 31;
/** Bodies per page: the default, and the most one request may ask for. */
export const REPLAY_PAGE = 100;
export const MAX_REPLAY_PAGE = 500;

const instant = (field: 'from' | 'to') =>
  z.string({ error: `${field}: required (YYYY-MM-DD, or an ISO instant with Z or an offset)` }).transform((value, ctx) => {
    // A day alone is a whole UTC day: from its first millisecond, to its last.
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const day = DateTime.fromISO(value, { zone: 'utc' });
      if (day.isValid) return field === 'from' ? day.toMillis() : day.endOf('day').toMillis();
    } else if (/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
      const at = DateTime.fromISO(value, { setZone: true });
      if (at.isValid) return at.toMillis();
    }
    ctx.addIssue({ code: 'custom', message: `${field}: "${value}" is not YYYY-MM-DD or an ISO instant with Z or an offset` });
    return z.NEVER;
  });

const requestSchema = z.object({
  from: instant('from'),
  to: instant('to'),
  routes: z.array(z.string()).min(1).optional(),
  after: z.string().min(1).nullable().default(null),
  limit: z.number().int().min(1).max(MAX_REPLAY_PAGE).default(REPLAY_PAGE),
  dryRun: z.boolean().default(false),
}).strict();

export interface ReplayPage {
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  /** Archived bodies looked at on this page. */
  readonly examined: number;
  /** Re-fed through their route. */
  readonly replayed: number;
  readonly skipped: { readonly unauthenticated: number; readonly otherRoute: number; readonly missing: number };
  /** Answers by route and status (`leads: { 202: 3, 400: 1 }`); in a dry run, the bodies that would be replayed. */
  readonly byRoute: Record<string, Record<string, number>>;
  /** Replays answered 4xx/5xx (the first 20 of the page): the body's key and why. */
  readonly refused: { key: string; route: string; status: number; error: string }[];
  /** Pass as `after` for the next page; null when the range is done. */
  readonly next: string | null;
}

/** Replayed unless named: a mid-call tool body sets the fields it carried again, over any later edit. */
const NOT_BY_DEFAULT = new Set(['tools-lead-data']);
/** A page stops after this much work (real time) and answers with `next`, within API Gateway's 30 s. */
export const REPLAY_BUDGET_MS = 20_000;

export function makeReplayArchive(deps: {
  archive: Archive;
  routes: readonly PublicRoute[];
  log?: (line: string) => void;
  /** Real milliseconds (performance.now), for the page's time budget. */
  elapsedMs?: () => number;
  budgetMs?: number;
}) {
  const byName = new Map(deps.routes.map((r) => [r.routeName, r]));
  const elapsed = deps.elapsedMs ?? (() => 0);
  const budget = deps.budgetMs ?? REPLAY_BUDGET_MS;
  return async function replayArchive(input: unknown): Promise<ReplayPage> {
    const parsed = requestSchema.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      throw new ReplayRequestError(issue.message.startsWith(`${field}:`) ? issue.message : `${field || 'body'}: ${issue.message}`);
    }
    const req = parsed.data;
    if (req.to < req.from) throw new ReplayRequestError('to: is before from');
    if (req.to - req.from > MAX_REPLAY_DAYS * 86_400_000) throw new ReplayRequestError(`to: a replay covers at most ${MAX_REPLAY_DAYS} days a request`);
    const unknown = (req.routes ?? []).filter((r) => !byName.has(r));
    if (unknown.length > 0) throw new ReplayRequestError(`routes: unknown ${unknown.join(', ')} (known: ${[...byName.keys()].join(', ')})`);
    const wanted = new Set(req.routes ?? [...byName.keys()].filter((r) => !NOT_BY_DEFAULT.has(r)));
    const started = elapsed();

    const page = await deps.archive.list(req.from, req.to, req.after, req.limit);
    const skipped = { unauthenticated: 0, otherRoute: 0, missing: 0 };
    const byRoute: Record<string, Record<string, number>> = {};
    const refused: ReplayPage['refused'] = [];
    let replayed = 0;
    let examined = 0;
    let next = page.next;
    const count = (route: string, status: string) => {
      const counts = (byRoute[route] ??= {});
      counts[status] = (counts[status] ?? 0) + 1;
    };
    for (const [i, key] of page.keys.entries()) {
      // Out of time: stop after at least one body, and answer with the last key done as `next`.
      if (i > 0 && elapsed() - started > budget) {
        next = page.keys[i - 1]!;
        break;
      }
      examined++;
      const record = await deps.archive.get(key);
      if (!record) {
        skipped.missing++;
        continue;
      }
      const route = byName.get(record.route);
      if (!route || !wanted.has(record.route)) {
        skipped.otherRoute++;
        continue;
      }
      // A forged key or signature, or a body archived before the verdict was kept: never replayed.
      if (record.authenticated !== true) {
        skipped.unauthenticated++;
        continue;
      }
      if (req.dryRun) {
        count(record.route, 'would-replay');
        continue;
      }
      let status: number;
      let error = '';
      try {
        const response = await route.replay(record);
        status = response.statusCode;
        if (status >= 400) error = String((JSON.parse(response.body) as { error?: unknown }).error ?? '');
      } catch (thrown) {
        // As the live route would have answered 500: reported, and the page goes on (replay the range again later).
        status = 500;
        error = (thrown as Error).message;
        deps.log?.(`replay ${key}: ${error}`);
      }
      replayed++;
      count(record.route, String(status));
      if (status >= 400 && refused.length < 20) refused.push({ key, route: record.route, status, error });
    }
    return {
      from: new Date(req.from).toISOString(), to: new Date(req.to).toISOString(), dryRun: req.dryRun,
      examined, replayed, skipped, byRoute, refused, next,
    };
  };
}
