import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Archive } from '../../lambdas/adapters/aws/archive.s3';
import { FsArchive } from '../../lambdas/adapters/local/archive.fs';
import type { Archive } from '../../lambdas/ports/archive';
import { startFauxqs, type FauxqsHandle } from '../support/fauxqs';

/** One contract, two archives: S3 (through fauxqs, the real S3 wire protocol, path-style) and the local folder. */
let fauxqs: FauxqsHandle;
let s3: S3Client;
let buckets = 0;
beforeAll(async () => {
  fauxqs = await startFauxqs();
  // fauxqs accepts any credentials; these are placeholders, not secrets.
  s3 = new S3Client({ endpoint: fauxqs.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 30_000);
afterAll(async () => {
  s3.destroy();
  await fauxqs.stop();
});

const harnesses: [string, () => Promise<Archive>][] = [
  ['S3Archive (fauxqs)', async () => {
    const bucket = `archive-${buckets++}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return new S3Archive(s3, bucket);
  }],
  ['FsArchive', async () => new FsArchive(mkdtempSync(join(tmpdir(), 'redial-archive-')))],
];

const t = (iso: string) => Date.parse(iso);

describe.each(harnesses)('%s', (_name, make) => {
  it('keeps each body with its route, type, verdict and size; get of an unknown key is null', async () => {
    const archive = await make();
    const key = await archive.put('webhooks-bland', t('2026-03-08T06:59:59.123Z'), 'application/json', '{"call_id":"c1"}', { authenticated: true, bytes: 16 });
    expect(await archive.get(key)).toEqual({ key, receivedAt: t('2026-03-08T06:59:59.123Z'), route: 'webhooks-bland', contentType: 'application/json', body: '{"call_id":"c1"}', authenticated: true, bytes: 16 });
    const forged = await archive.put('leads', t('2026-03-08T07:00:00Z'), null, 'x', { authenticated: false, bytes: 1 });
    expect(await archive.get(forged)).toMatchObject({ authenticated: false, contentType: null });
    expect(await archive.get(`${key.slice(0, -10)}ffffffff.json`)).toBeNull();
  });

  it('lists a range oldest first, across days, a page at a time, from the key of the last page', async () => {
    const archive = await make();
    const times = ['2026-03-07T23:59:59.999Z', '2026-03-08T00:00:00.000Z', '2026-03-08T12:00:00.000Z', '2026-03-08T12:00:00.000Z', '2026-03-09T03:00:00.000Z', '2026-03-11T00:00:00.000Z', '2026-03-12T00:00:00.000Z'];
    const keys = new Map<string, number>();
    for (const [i, iso] of [...times].reverse().entries()) keys.set(await archive.put(i % 2 ? 'leads' : 'webhooks-bland', t(iso), null, String(i), { authenticated: true, bytes: 1 }), t(iso));
    const from = t('2026-03-08T00:00:00Z');
    const to = t('2026-03-11T00:00:00Z');
    const expected = [...keys].filter(([, at]) => at >= from && at <= to).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([k]) => k);
    expect(expected).toHaveLength(5);

    const whole = await archive.list(from, to, null, 100);
    expect(whole).toEqual({ keys: expected, next: null });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await archive.list(from, to, after, 2);
      seen.push(...page.keys);
      after = page.next;
      pages++;
    } while (after !== null && pages < 10);
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);
    // An instant range inside a day; an empty day range.
    expect((await archive.list(t('2026-03-08T11:00:00Z'), t('2026-03-08T12:00:00Z'), null, 100)).keys).toEqual(expected.slice(1, 3));
    expect(await archive.list(t('2026-03-10T00:00:00Z'), t('2026-03-10T23:59:59Z'), null, 100)).toEqual({ keys: [], next: null });
  });
});
