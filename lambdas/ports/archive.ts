/** Raw inbound bodies, kept before parsing so anything can be replayed (S3 on AWS, a folder locally). */
export interface ArchivedBody {
  readonly key: string;
  readonly receivedAt: number;
  readonly route: string;
  readonly contentType: string | null;
  readonly body: string;
}

export interface Archive {
  /** Stores the body; returns its key. */
  put(route: string, receivedAt: number, contentType: string | null, body: string): Promise<string>;
  get(key: string): Promise<ArchivedBody | null>;
}
