import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Convoso simulator on loopback: `leads/search` (form or query parameters) over an in-memory list of leads, with an
 * optional rate limit (429 above it, as Convoso answers) and request counters for the benchmarks.
 */
export interface SimCrmLead {
  readonly id: string;
  readonly listId: string;
  status: string;
  readonly firstName?: string;
  readonly state?: string;
  readonly zip?: string;
}

export interface ConvosoSimOptions {
  readonly authToken: string;
  /** Requests accepted per second (sliding second); above it, 429. */
  readonly ratePerSecond?: number;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const tenDigits = (phone: string) => phone.replace(/\D/g, '').replace(/^1(\d{10})$/, '$1');

export async function startConvosoSim(options: ConvosoSimOptions) {
  /** 10-digit phone → its leads, in list order (the same number can sit in several lists). */
  const leads = new Map<string, SimCrmLead[]>();
  const stats = { searches: 0, rejected429: 0, firstAt: 0, lastAt: 0 };
  /** Every leads/update and dnc/insert accepted, in order (what the floor would see in Convoso). */
  const updates: { leadId: string; params: Record<string, string> }[] = [];
  const dnc = new Set<string>();
  const recent: number[] = [];
  let head = 0;
  let down = false;
  const server = createServer((req, res) => {
    void (async () => {
      if (down) return send(res, 503, { success: false, code: 503, text: 'Service unavailable' });
      const t = performance.now();
      if (options.ratePerSecond) {
        while (head < recent.length && recent[head]! <= t - 1000) head++;
        if (head > 10_000) {
          recent.splice(0, head);
          head = 0;
        }
        if (recent.length - head >= options.ratePerSecond) {
          stats.rejected429++;
          return send(res, 429, { success: false, code: 429, text: 'Too many requests' });
        }
        recent.push(t);
      }
      const url = new URL(req.url ?? '/', 'http://sim');
      const params = new URLSearchParams(req.method === 'POST' ? await readBody(req) : url.search);
      if (params.get('auth_token') !== options.authToken) return send(res, 200, { success: false, code: 401, text: 'Invalid auth token' });
      if (url.pathname === '/v1/leads/search') {
        stats.searches++;
        if (stats.firstAt === 0) stats.firstAt = t;
        stats.lastAt = t;
        const phone = tenDigits(params.get('phone_number') ?? '');
        const entries = (leads.get(phone) ?? []).map((l) => ({
          id: l.id, list_id: l.listId, status: l.status, phone_number: phone, first_name: l.firstName ?? '', state: l.state ?? '', postal_code: l.zip ?? '',
        }));
        return send(res, 200, { success: true, data: { offset: 0, limit: 10, total: entries.length, entries } });
      }
      if (url.pathname === '/v1/leads/update') {
        const leadId = params.get('lead_id') ?? '';
        const lead = [...leads.values()].flat().find((l) => l.id === leadId);
        if (!lead) return send(res, 200, { success: false, code: 404, text: 'No such Lead' });
        const fields = Object.fromEntries([...params.entries()].filter(([k]) => k !== 'auth_token'));
        if (fields['status']) lead.status = fields['status'];
        updates.push({ leadId, params: fields });
        return send(res, 200, { success: true, data: { lead_id: leadId } });
      }
      if (url.pathname === '/v1/dnc/insert') {
        const phone = tenDigits(params.get('phone_number') ?? '');
        if (phone.length !== 10) return send(res, 200, { success: false, code: 400, text: 'phone_number is required' });
        dnc.add(phone);
        return send(res, 200, { success: true, data: { phone_number: phone } });
      }
      return send(res, 200, { success: false, code: 404, text: `no route ${url.pathname}` });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    updates,
    dnc,
    addLead: (phone: string, lead: SimCrmLead) => {
      const key = tenDigits(phone);
      leads.set(key, [...(leads.get(key) ?? []), lead]);
    },
    /** Whether any list holds the number. */
    hasLead: (phone: string) => (leads.get(tenDigits(phone))?.length ?? 0) > 0,
    setDown: (value: boolean) => {
      down = value;
    },
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export type ConvosoSim = Awaited<ReturnType<typeof startConvosoSim>>;
