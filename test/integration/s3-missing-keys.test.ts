import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Archive } from '../../lambdas/adapters/aws/archive.s3';
import { S3ArtifactStore } from '../../lambdas/adapters/aws/artifacts.s3';
import { startFauxqs, type FauxqsHandle } from '../support/fauxqs';

/**
 * S3 answers a GetObject of a missing key with 403 AccessDenied, not 404 NoSuchKey, to a role that may not list the
 * bucket there (GetObject API, "Permissions"); the functions list only their own prefix. A proxy in front of fauxqs
 * answers as S3 does for such a role: a missing key is a 403, and objects under `denied/` are a 403 whatever (a read
 * the role may really not make). Missing keys must read as absent; a real denial must still fail.
 */
const DENIED = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

let fauxqs: FauxqsHandle;
let proxy: Server;
let s3: S3Client;
let seenDenied = 0;

beforeAll(async () => {
  fauxqs = await startFauxqs();
  const upstream = new URL(fauxqs.endpoint);
  proxy = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const objectGet = req.method === 'GET' && url.pathname.split('/').filter(Boolean).length > 1 && !url.searchParams.has('list-type');
    const deny = () => {
      seenDenied++;
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(DENIED);
    };
    if (objectGet && url.pathname.includes('/denied/')) return deny();
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (objectGet && up.statusCode === 404) {
        up.resume();
        return deny();
      }
      res.writeHead(up.statusCode ?? 500, up.headers);
      up.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  // fauxqs accepts any credentials; these are placeholders, not secrets.
  s3 = new S3Client({ endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
}, 30_000);
afterAll(async () => {
  s3.destroy();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await fauxqs.stop();
});

describe('missing S3 keys under a role that lists only its prefix (403, not 404)', () => {
  it('a missing backfill artifact reads as absent (a run older than the 30-day expiry), a present one as its body', async () => {
    const store = new S3ArtifactStore(s3, 'artifacts');
    await store.put('backfill/run-1/2026-11-01.tsv', '+12125550100\t1');
    expect(await store.get('backfill/run-1/2026-11-01.tsv')).toBe('+12125550100\t1');
    const before = seenDenied;
    expect(await store.get('backfill/run-old/2026-10-01.tsv')).toBeNull();
    // The proxy really answered 403 (the case the adapter must settle), not 404.
    expect(seenDenied).toBe(before + 1);
    // A key that is a prefix of another is still missing.
    expect(await store.get('backfill/run-1/2026-11-0')).toBeNull();
  });

  it('a missing archived body reads as absent too', async () => {
    const archive = new S3Archive(s3, 'artifacts');
    expect(await archive.get('inbound/2026-11-01/2026-11-01T00:00:00.000Z-leads-00000000.json')).toBeNull();
  });

  it('a read the role may really not make still fails with AccessDenied (the key is there)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'backfill/denied/x.tsv', Body: 'x' }));
    await expect(new S3ArtifactStore(s3, 'artifacts').get('backfill/denied/x.tsv')).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
