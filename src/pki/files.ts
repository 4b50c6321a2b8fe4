/** File writes for key material: private modes and no half-written files. */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to `path` with `mode` atomically: a temporary file in the same
 * directory is written, fsynced and renamed over `path`, so a reader (or a crash)
 * sees the old content or the new, never a mix. The directory is fsynced after
 * the rename so the new name survives power loss. The mode is set at creation,
 * so the content is never readable by others even for a moment.
 */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temp, 'wx', mode);
  try {
    try {
      await file.writeFile(data);
      await file.chmod(mode); // umask may have narrowed or (never) widened it
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is done.
  } finally {
    await handle?.close();
  }
}
