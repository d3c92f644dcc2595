import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getObjectOrNull } from './s3-read';
import type { Archive, ArchivedBody, ArchivePage } from '../../ports/archive';
import { dayOfKey, receivedAtOfKey, utcDaysBetween } from '../archive-keys';

const PREFIX = 'inbound/';

/** The Archive on S3: one object per inbound body, keyed by day, so a range can be listed and replayed. */
export class S3Archive implements Archive {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(route: string, receivedAt: number, contentType: string | null, body: string, meta?: { authenticated: boolean; bytes: number }): Promise<string> {
    const iso = new Date(receivedAt).toISOString();
    const key = `${PREFIX}${iso.slice(0, 10)}/${iso}-${route.replace(/[^a-z0-9]+/gi, '_')}-${randomUUID().slice(0, 8)}.json`;
    const record: ArchivedBody = { key, receivedAt, route, contentType, body, ...meta };
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: JSON.stringify(record), ContentType: 'application/json' }));
    return key;
  }

  async get(key: string): Promise<ArchivedBody | null> {
    const body = await getObjectOrNull(this.client, this.bucket, key);
    return body === null ? null : (JSON.parse(body) as ArchivedBody);
  }

  /** Day by day under `inbound/<day>/` (S3 lists keys in order), from the key `after`. */
  async list(from: number, to: number, after: string | null, limit: number): Promise<ArchivePage> {
    const keys: string[] = [];
    const afterDay = after === null ? null : dayOfKey(after);
    for (const day of utcDaysBetween(from, to)) {
      if (afterDay !== null && day < afterDay) continue;
      // Seek: past the cursor, or to the first instant of the range (keys start with it), whichever is later.
      const seekFrom = day === new Date(from).toISOString().slice(0, 10) ? `${PREFIX}${day}/${new Date(from).toISOString()}` : '';
      const seekAfter = after !== null && day === afterDay ? after : '';
      const startAfter = seekAfter > seekFrom ? seekAfter : seekFrom;
      let token: string | undefined;
      do {
        const page = await this.client.send(new ListObjectsV2Command({
          Bucket: this.bucket, Prefix: `${PREFIX}${day}/`, ContinuationToken: token,
          ...(token === undefined && startAfter !== '' ? { StartAfter: startAfter } : {}),
        }));
        for (const object of page.Contents ?? []) {
          const at = object.Key ? receivedAtOfKey(object.Key) : null;
          if (at !== null && at > to) return { keys, next: null }; // listed in order: nothing later is in range
          if (!object.Key || at === null || at < from || (after !== null && object.Key <= after)) continue;
          keys.push(object.Key);
          if (keys.length === limit) return { keys, next: object.Key };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
    return { keys, next: null };
  }
}
