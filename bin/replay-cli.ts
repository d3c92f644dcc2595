import { parseArgs } from 'node:util';
import { adminApi, adminEndpoint, BackfillCliError } from './admin-api';
import { grid } from './report-cli';

/**
 * `redial replay --from <day|instant> --to <day|instant> [--route leads ...] [--dry-run] [--json]`: re-feeds the
 * archived inbound bodies of a range through their routes, page by page (POST /admin/replay), and prints the answers
 * by route and status. Against the local runtime, or AWS with --url <ApiUrl> --api-key <adminApiKey>.
 */
export async function runReplay(argv: string[], out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' }, to: { type: 'string' }, route: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean', default: false },
      limit: { type: 'string' }, json: { type: 'boolean', default: false }, url: { type: 'string' }, 'api-key': { type: 'string' },
    },
    strict: true,
  });
  if (!values.from) throw new BackfillCliError('replay needs --from (YYYY-MM-DD or an ISO instant)');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !Number.isInteger(limit)) throw new BackfillCliError(`--limit: "${values.limit}" is not a whole number`);
  const { baseUrl, apiKey } = adminEndpoint(values, env);
  const api = adminApi(baseUrl, apiKey);
  const totals = { pages: 0, examined: 0, replayed: 0, unauthenticated: 0, otherRoute: 0, missing: 0 };
  const byRoute: Record<string, Record<string, number>> = {};
  const refused: { key: string; route: string; status: number; error: string }[] = [];
  let after: string | null = null;
  do {
    const page = await api.request('POST', '/admin/replay', {
      from: values.from, to: values.to ?? values.from, ...(values.route ? { routes: values.route } : {}), after, dryRun: values['dry-run'], ...(limit === undefined ? {} : { limit }),
    });
    totals.pages++;
    totals.examined += page['examined'] as number;
    totals.replayed += page['replayed'] as number;
    const skipped = page['skipped'] as { unauthenticated: number; otherRoute: number; missing: number };
    totals.unauthenticated += skipped.unauthenticated;
    totals.otherRoute += skipped.otherRoute;
    totals.missing += skipped.missing;
    for (const [route, statuses] of Object.entries(page['byRoute'] as Record<string, Record<string, number>>)) {
      for (const [status, n] of Object.entries(statuses)) (byRoute[route] ??= {})[status] = (byRoute[route]![status] ?? 0) + n;
    }
    refused.push(...(page['refused'] as typeof refused));
    after = page['next'] as string | null;
    if (!values.json) out(`page ${totals.pages}: ${String(page['examined'])} archived bodies, ${String(page['replayed'])} replayed`);
  } while (after !== null);

  if (values.json) {
    out(JSON.stringify({ ...totals, dryRun: values['dry-run'], byRoute, refused }));
    return 0;
  }
  const statuses = [...new Set(Object.values(byRoute).flatMap((s) => Object.keys(s)))].sort();
  if (statuses.length > 0) {
    for (const line of grid(['route', ...statuses], Object.entries(byRoute).map(([route, s]) => [route, ...statuses.map((st) => String(s[st] ?? 0))]))) out(line);
  }
  out(`${values['dry-run'] ? 'would replay' : 'replayed'} ${values['dry-run'] ? Object.values(byRoute).reduce((n, s) => n + (s['would-replay'] ?? 0), 0) : totals.replayed} of ${totals.examined} archived bodies; skipped ${totals.unauthenticated} unauthenticated, ${totals.otherRoute} of other routes, ${totals.missing} missing`);
  for (const r of refused.slice(0, 20)) out(`  ${r.status} ${r.route} ${r.key}: ${r.error}`);
  return 0;
}
