import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { ArtifactStore } from '../../ports/backfill';

/** The local ArtifactStore: one file per key under a folder (`.redial/artifacts/backfill/<runId>/<date>.tsv`). */
export class FsArtifactStore implements ArtifactStore {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    if (key.includes('..') || normalize(key).startsWith('/')) throw new Error(`bad artifact key ${key}`);
    return join(this.root, key);
  }

  async put(key: string, body: string): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }

  async get(key: string): Promise<string | null> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw error;
    }
  }
}
