import { createReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile, rename } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

/** Where file bytes live. Keys are ours (ids and variant names), never a client's file name. */
export interface FileStorage {
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Readable | undefined>;
  delete(key: string): Promise<void>;
}

const KEY = /^[a-z0-9][a-z0-9/_-]{0,200}\.[a-z0-9]{2,5}$/;

/** Keys are made by the files module; anything else (`..`, absolute paths, odd characters) is a bug and is refused. */
export function assertStorageKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((segment) => segment === '' || segment === '..')) throw new Error(`Invalid storage key ${key}`);
}

/** A directory on disk (`DATA_DIR/files` by default); writes go through a temporary file and a rename. */
export class DiskStorage implements FileStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** With an in-memory database, files go to a throwaway directory too. */
  static forDataDir(dataDir: string): DiskStorage {
    return new DiskStorage(dataDir === 'memory://' ? join(tmpdir(), `switchboard-files-${process.pid}-${randomUUID()}`) : join(dataDir, 'files'));
  }

  private path(key: string): string {
    assertStorageKey(key);
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`Invalid storage key ${key}`);
    return path;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, bytes, { flag: 'wx' });
    await rename(temporary, path);
  }

  async get(key: string): Promise<Readable | undefined> {
    const path = this.path(key);
    try {
      await stat(path);
    } catch {
      return undefined;
    }
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
