import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getObjectOrNull } from './s3-read';
import type { ArtifactStore } from '../../ports/backfill';

/** The ArtifactStore on S3 (the archive bucket, under `backfill/`): per-date phone lists of backfill runs. */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'text/tab-separated-values' }));
  }

  /** Null when the key is missing (a run older than the artifacts' expiry), also where S3 answers that with a 403. */
  get(key: string): Promise<string | null> {
    return getObjectOrNull(this.client, this.bucket, key);
  }
}
