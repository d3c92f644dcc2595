import { parseArgs } from 'node:util';
import { adminApi, adminEndpoint, BackfillCliError } from './admin-api';
import { grid } from './report-cli';

/**
 * `redial block <number> --reason R | --area-code 212 --reason R | --prefix +1212555 --reason R`,
 * `redial unblock <number> | --area-code 212 | --prefix +1212555`, `redial blocklist [--json]`: the admin API's
 * blocklist (local runtime, or AWS with --url <ApiUrl> --api-key <adminApiKey>).
 */
export async function runBlocklist(argv: string[], out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'area-code': { type: 'string' }, prefix: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean', default: false },
      url: { type: 'string' }, 'api-key': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const { baseUrl, apiKey } = adminEndpoint(values, env);
  const api = adminApi(baseUrl, apiKey);
  if (verb === 'blocklist') {
    const json = await api.request('GET', '/admin/blocklist');
    if (values.json) {
      out(JSON.stringify(json));
      return 0;
    }
    const entries = json['entries'] as { kind: string; value: string; reason: string; source: string; addedAt: string; addedBy: string }[];
    if (entries.length === 0) out('the blocklist is empty');
    else for (const line of grid(['entry', 'kind', 'source', 'added', 'by', 'reason'], entries.map((e) => [e.value, e.kind, e.source, e.addedAt.slice(0, 16), e.addedBy, e.reason]))) out(line);
    return 0;
  }
  const target = values['area-code'] !== undefined ? { areaCode: values['area-code'] } : values.prefix !== undefined ? { prefix: values.prefix } : positionals[0] !== undefined ? { number: positionals[0] } : null;
  if (!target) throw new BackfillCliError(`${verb} needs a number, --area-code NNN or --prefix +1NNN`);
  if (verb === 'block') {
    const json = await api.request('POST', '/admin/blocklist', { ...target, reason: values.reason });
    const entry = json['entry'] as { kind: string; value: string };
    out(`blocked ${entry.kind} ${entry.value}: no call or text reaches it; its leads are paused at their next attempt`);
    return 0;
  }
  const json = await api.request('POST', '/admin/blocklist/remove', target);
  const removed = json['removed'] as { kind: string; value: string };
  out(`unblocked ${removed.kind} ${removed.value}; paused leads stay paused until \`npx redial lead <phone> resume\``);
  return 0;
}
