import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlandVoiceAgent } from '../../lambdas/adapters/bland/voice-agent.bland';
import { ConvosoCrm } from '../../lambdas/adapters/convoso/crm.convoso';
import { HttpError, type RetryOptions } from '../../lambdas/adapters/http-retry';
import { startBlandSim, type BlandSim } from '../../sim/bland-sim';
import { startConvosoSim } from '../../sim/convoso-sim';

/** The Bland and Convoso clients over real HTTP against the simulators on loopback. */
const FAST: RetryOptions = { retries: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000, sleep: async () => undefined, random: () => 0.5 };
const SECRET = 'test-webhook-secret';

let sim: BlandSim;
let receiver: Server;
let receiverUrl: string;
const received: { body: string; signature: string | undefined }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString(), signature: req.headers['x-webhook-signature'] as string | undefined });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/bland`;
  // One number called again and again: the 10-second same-number rule is off here (it has a test of its own).
  sim = await startBlandSim({ apiKey: 'sim-key', webhookSecret: SECRET, seed: 7, talkMs: 20, ratePerSecond: 1_000, sameNumberMs: 0 });
});
afterAll(async () => {
  await sim.stop();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const agent = (apiKey = 'sim-key', baseUrl?: string) =>
  new BlandVoiceAgent({ baseUrl: baseUrl ?? sim.url, apiKey, pathwayId: 'pathway-1', maxDurationMinutes: 12, webhookUrl: receiverUrl }, FAST);
const request = { phone: '+12125550100', metadata: { phone: '+12125550100', leadId: 'L1', scheduleToken: 'tok-1' }, requestData: { first_name: 'Ada' } };

describe('BlandVoiceAgent against the Bland simulator', () => {
  it('places a call with the documented fields, and the signed webhook comes back with the metadata', async () => {
    const { callId } = await agent().placeCall(request);
    const placed = sim.calls.find((c) => c.callId === callId)!;
    expect(placed.request).toEqual({
      phone_number: '+12125550100', pathway_id: 'pathway-1', max_duration: 12, webhook: receiverUrl,
      metadata: request.metadata, request_data: { first_name: 'Ada' }, record: true,
    });
    await new Promise((r) => setTimeout(r, 200));
    const hook = received.find((h) => JSON.parse(h.body).call_id === callId)!;
    expect(hook.signature).toBe(createHmac('sha256', SECRET).update(hook.body).digest('hex'));
    expect(JSON.parse(hook.body).metadata).toEqual(request.metadata);
    expect(await agent().getCall(callId)).toMatchObject({ call_id: callId, metadata: request.metadata });
  });

  it('an unknown call is null', async () => {
    expect(await agent().getCall('no-such-call')).toBeNull();
  });

  it('never retries placing a call after a 5xx (the call may exist): the error is marked ambiguous', async () => {
    sim.failNext(1);
    const before = sim.calls.length;
    await expect(agent().placeCall(request)).rejects.toMatchObject({ status: 503, ambiguous: true });
    expect(sim.calls.length).toBe(before);
    await expect(agent().placeCall(request)).resolves.toHaveProperty('callId');
  });

  it('gives up after its retries with a retryable error', async () => {
    sim.failNext(10);
    const error = await agent().placeCall(request).catch((e: unknown) => e);
    sim.failNext(0);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 503, retryable: true });
  });

  it('a wrong API key is a refusal, not retried', async () => {
    await expect(agent('wrong').placeCall(request)).rejects.toMatchObject({ status: 401, retryable: false });
  });

  it('answers 429 above its rate limit, and the client waits and retries', async () => {
    const limited = await startBlandSim({ apiKey: 'sim-key', ratePerSecond: 1, talkMs: 10, sameNumberMs: 0 });
    const sleeps: number[] = [];
    const client = new BlandVoiceAgent({ baseUrl: limited.url, apiKey: 'sim-key', task: 'hi', maxDurationMinutes: 5, webhookUrl: receiverUrl }, {
      ...FAST,
      sleep: async (ms) => {
        sleeps.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    await client.placeCall(request);
    await client.placeCall(request);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000); // Retry-After: 1
    await limited.stop();
  });

  it('a server that does not answer in time is a retryable timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = new BlandVoiceAgent({ baseUrl: url, apiKey: 'k', task: 'hi', maxDurationMinutes: 5, webhookUrl: receiverUrl }, { ...FAST, retries: 1, timeoutMs: 100 });
    await expect(client.placeCall(request)).rejects.toMatchObject({ retryable: true, message: 'bland: timed out after 100 ms' });
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});

describe('ConvosoCrm against the Convoso simulator', () => {
  it('finds the first match across lists, null when absent, and fails clearly on a bad token or an outage', async () => {
    const crm = await startConvosoSim({ authToken: 'crm-token' });
    crm.addLead('+12125550100', { id: '501', listId: '10', status: 'SALE' });
    crm.addLead('2125550100', { id: '502', listId: '11', status: 'NA' });
    const client = new ConvosoCrm({ baseUrl: crm.url, authToken: 'crm-token' }, FAST);
    expect(await client.findByPhone('+12125550100')).toMatchObject({ leadId: '501', listId: '10', status: 'SALE' });
    expect(await client.findByPhone('+13125550100')).toBeNull();
    await expect(new ConvosoCrm({ baseUrl: crm.url, authToken: 'bad' }, FAST).findByPhone('+12125550100')).rejects.toThrow('convoso: leads/search failed: Invalid auth token');
    crm.setDown(true);
    await expect(client.findByPhone('+12125550100')).rejects.toMatchObject({ status: 503, retryable: true });
    await crm.stop();
  });
});
