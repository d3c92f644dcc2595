/** Raw inbound bodies, kept before parsing so anything can be replayed (S3 on AWS, a folder locally). */
export interface ArchivedBody {
  readonly key: string;
  readonly receivedAt: number;
  readonly route: string;
  readonly contentType: string | null;
  /** The body as received (its first MAX_BODY_BYTES). */
  readonly body: string;
  /** Whether its key or signature checked out when it arrived: only those are ever replayed. Absent = unknown. */
  readonly authenticated?: boolean;
  /** Its size as received (a larger body than the one kept was refused with 413). */
  readonly bytes?: number;
}

export interface ArchivePage {
  /** Keys received in the range, oldest first. */
  readonly keys: string[];
  /** Pass back as `after` for the next page; null when the range is done. */
  readonly next: string | null;
}

export interface Archive {
  /** Stores the body; returns its key. */
  put(route: string, receivedAt: number, contentType: string | null, body: string, meta?: { authenticated: boolean; bytes: number }): Promise<string>;
  get(key: string): Promise<ArchivedBody | null>;
  /** Keys of bodies received in [from, to] (epoch ms), oldest first, at most `limit`, after the key `after`. */
  list(from: number, to: number, after: string | null, limit: number): Promise<ArchivePage>;
}
