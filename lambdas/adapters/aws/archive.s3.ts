import { randomUUID } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Archive, ArchivedBody } from '../../ports/archive';

/** The Archive on S3: one object per inbound body, keyed by day, so a range can be listed and replayed. */
export class S3Archive implements Archive {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(route: string, receivedAt: number, contentType: string | null, body: string): Promise<string> {
    const iso = new Date(receivedAt).toISOString();
    const key = `inbound/${iso.slice(0, 10)}/${iso}-${route.replace(/[^a-z0-9]+/gi, '_')}-${randomUUID().slice(0, 8)}.json`;
    const record: ArchivedBody = { key, receivedAt, route, contentType, body };
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: JSON.stringify(record), ContentType: 'application/json' }));
    return key;
  }

  async get(key: string): Promise<ArchivedBody | null> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return JSON.parse(await object.Body!.transformToString()) as ArchivedBody;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }
}
