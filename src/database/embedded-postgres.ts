import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import lockfile from 'proper-lockfile';

export interface EmbeddedPostgres {
  readonly pglite: PGlite;
  close(): Promise<void>;
}

// The folder is versioned by PostgreSQL major: a data dir of another major does not open.
const PGLITE_DIR = 'pglite-pg18';

// PGlite has no cross-process locking: a second process on the same data dir silently loses
// writes. A lockfile (refreshed while we run, stale after the process dies) prevents that.
export async function openEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = join(dataDir, PGLITE_DIR);
  mkdirSync(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, { stale: 15_000, update: 5_000, realpath: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new Error(`The embedded database in ${dir} is in use by another process; stop it or set another DATA_DIR`, {
        cause: err,
      });
    }
    throw err;
  }
  try {
    const pglite = await PGlite.create({ dataDir: dir, extensions: { vector } });
    return {
      pglite,
      close: async () => {
        await pglite.close();
        await release();
      },
    };
  } catch (err) {
    await release();
    throw err;
  }
}
