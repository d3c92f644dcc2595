import { parseArgs } from 'node:util';
import { adminApi, adminEndpoint, BackfillCliError } from './admin-api';

/**
 * `redial pause | resume | status`: the kill switch, against the local runtime's admin API. While paused no call is
 * placed; resume restores the held attempts spread out (docs/operations.md).
 */
export async function runKillSwitch(argv: string[], out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { url: { type: 'string' }, 'api-key': { type: 'string' } }, strict: true });
  const { baseUrl, apiKey } = adminEndpoint(values, env);
  const path = action === 'status' ? '/admin/system' : `/admin/system/${action}`;
  const json = (await adminApi(baseUrl, apiKey).request(action === 'status' ? 'GET' : 'POST', path)) as { paused?: boolean; finished?: boolean; restored?: number; lastAt?: string | null };
  if (action === 'pause') out('paused: no call is placed until `npx redial resume` (attempts falling due are held)');
  else if (action === 'resume' && json.finished === false) {
    out(`still paused: ${json.restored ?? 0} held attempt(s) restored so far; run \`npx redial resume\` again to finish`);
    return 1;
  } else if (action === 'resume') out(`resumed: ${json.restored ?? 0} held attempt(s) restored${json.lastAt ? `, the last at ${json.lastAt}` : ''}`);
  else out(json.paused ? 'paused' : 'running');
  return 0;
}

/**
 * `redial lead <phone> [pause|resume|stop]` (the lead, its attempts, its next attempt and why; after the action) and `redial crm-replay` (send the parked
 * CRM writes again), against the admin API of the local runtime or of AWS (--url <ApiUrl> --api-key <adminApiKey>).
 */
export async function runAdminVerb(argv: string[], out: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, options: { url: { type: 'string' }, 'api-key': { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const { baseUrl, apiKey } = adminEndpoint(values, env);
  if (verb === 'lead' && !positionals[0]) throw new BackfillCliError('lead needs a phone number');
  const action = positionals[1];
  if (verb === 'lead' && action !== undefined && !['pause', 'resume', 'stop'].includes(action)) throw new BackfillCliError(`lead: unknown action "${action}" (pause, resume or stop)`);
  const leadPath = `/admin/leads/${encodeURIComponent(positionals[0] ?? '')}${action ? `/${action}` : ''}`;
  const [method, path] = verb === 'lead' ? [action ? 'POST' : 'GET', leadPath] : ['POST', '/admin/crm/replay'];
  const json = await adminApi(baseUrl, apiKey).request(method, path);
  if (values.json || verb !== 'lead') {
    out(verb === 'lead' ? JSON.stringify(json) : `replayed ${String(json['replayed'])} parked CRM write(s)`);
    return 0;
  }
  const lead = json['lead'] as {
    phone: string; status: string; outcome: string | null; attemptsTotal: number; zones: string[];
    stopped?: { by: string; at: number } | null; locationWarnings?: string[];
  };
  const next = json['next'] as { at: string | null; why: string | null };
  const attempts = json['attempts'] as { calledAt: number; outcome: string; evidence: string }[];
  const ended = lead.stopped
    ? ` (stopped by ${lead.stopped.by} at ${new Date(lead.stopped.at).toISOString().slice(0, 16)}Z${lead.outcome ? `; last call ${lead.outcome}` : ''})`
    : lead.outcome ? ` (${lead.outcome})` : '';
  out(`lead         ${lead.phone}  ${lead.status}${ended}`);
  out(`zones        ${lead.zones.join(', ')}`);
  for (const warning of lead.locationWarnings ?? []) out(`warning      ${warning}`);
  out(`calls        ${lead.attemptsTotal}`);
  out(`next         ${next.at ?? 'none'}${next.why ? `  (${next.why})` : ''}`);
  for (const a of attempts) out(`  ${new Date(a.calledAt).toISOString().slice(0, 16)}Z  ${a.outcome.padEnd(14)} ${a.evidence}`);
  return 0;
}
