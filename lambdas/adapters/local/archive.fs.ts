import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Archive, ArchivedBody } from '../../ports/archive';

/** The local Archive: one JSON file per inbound body under a folder (`.redial/archive/<date>/...`). */
export class FsArchive implements Archive {
  constructor(private readonly root: string) {}

  async put(route: string, receivedAt: number, contentType: string | null, body: string): Promise<string> {
    const iso = new Date(receivedAt).toISOString();
    const key = `${iso.slice(0, 10)}/${iso.replace(/[:.]/g, '-')}-${route.replace(/[^a-z0-9]+/gi, '_')}-${randomUUID().slice(0, 8)}.json`;
    const record: ArchivedBody = { key, receivedAt, route, contentType, body };
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(record));
    return key;
  }

  async get(key: string): Promise<ArchivedBody | null> {
    if (key.includes('..')) return null;
    try {
      return JSON.parse(await readFile(join(this.root, key), 'utf8')) as ArchivedBody;
    } catch {
      return null;
    }
  }
}
