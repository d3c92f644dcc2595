import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Convoso simulator on loopback: `leads/search` (form or query parameters) over an in-memory list of leads. */
export interface SimCrmLead {
  readonly id: string;
  readonly listId: string;
  status: string;
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

export async function startConvosoSim(options: { authToken: string }) {
  /** 10-digit phone → its leads, in list order (the same number can sit in several lists). */
  const leads = new Map<string, SimCrmLead[]>();
  let down = false;
  const server = createServer((req, res) => {
    void (async () => {
      if (down) return send(res, 503, { success: false, code: 503, text: 'Service unavailable' });
      const url = new URL(req.url ?? '/', 'http://sim');
      const params = new URLSearchParams(req.method === 'POST' ? await readBody(req) : url.search);
      if (params.get('auth_token') !== options.authToken) return send(res, 200, { success: false, code: 401, text: 'Invalid auth token' });
      if (url.pathname === '/v1/leads/search') {
        const phone = (params.get('phone_number') ?? '').replace(/\D/g, '').replace(/^1(\d{10})$/, '$1');
        const entries = (leads.get(phone) ?? []).map((l) => ({ id: l.id, list_id: l.listId, status: l.status, phone_number: phone }));
        return send(res, 200, { success: true, data: { offset: 0, limit: 10, total: entries.length, entries } });
      }
      return send(res, 200, { success: false, code: 404, text: `no route ${url.pathname}` });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    addLead: (phone: string, lead: SimCrmLead) => {
      const key = phone.replace(/\D/g, '').replace(/^1(\d{10})$/, '$1');
      leads.set(key, [...(leads.get(key) ?? []), lead]);
    },
    setDown: (value: boolean) => {
      down = value;
    },
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
