/**
 * An export replaces a folder as a whole: files are written to a staging folder beside the output, and moved in only
 * when every file passed its checks; files of the previous export that the new one does not have are removed, and
 * manifest.json moves last. A failed export leaves the output folder as it was and keeps its files in
 * `<out>.failed/` for inspection.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LayernasError } from '../core/errors.js';
import { ensureDir } from '../core/write-atomic.js';

export async function staging(outDir: string): Promise<string> {
  const parent = dirname(resolve(outDir));
  await ensureDir(parent);
  try {
    return await mkdtemp(join(parent, `.${basename(outDir)}.staging-`));
  } catch (e) {
    throw new LayernasError('OUTPUT_UNWRITABLE', `cannot create a staging folder in ${parent}: ${(e as Error).message}`, { path: parent });
  }
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out;
}

/** files the previous export in `outDir` wrote (from its manifest), relative paths */
function previousExportFiles(outDir: string): string[] {
  const file = join(outDir, 'manifest.json');
  if (!existsSync(file)) return [];
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { models?: { files?: { path?: string }[] }[]; weights?: { files?: string[] }; labels?: { file?: string } | null; files?: string[] };
    return [
      ...(m.models ?? []).flatMap((x) => (x.files ?? []).map((f) => f.path ?? '')),
      ...(m.weights?.files ?? []), ...(m.labels?.file ? [m.labels.file] : []), ...(m.files ?? []),
    ].filter((f) => f && !f.includes('..'));
  } catch {
    return [];
  }
}

export async function commitStaging(stage: string, outDir: string): Promise<void> {
  try {
    await moveIn(stage, outDir);
  } catch (e) {
    if (e instanceof LayernasError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new LayernasError('OUTPUT_UNWRITABLE', `cannot move the exported files into ${outDir}: ${err.code ?? ''} ${err.message}`.trim(), { path: outDir, errno: err.code }, { cause: e });
  }
}

async function moveIn(stage: string, outDir: string): Promise<void> {
  await ensureDir(outDir);
  const files = await filesUnder(stage);
  const fresh = new Set(files);
  const manifestPath = join(outDir, 'manifest.json');
  // the old manifest goes first: from here on the folder never has a manifest that lists files it does not hold
  if (existsSync(manifestPath)) await rm(manifestPath, { force: true });
  for (const old of previousExportFiles(outDir)) if (!fresh.has(old)) await rm(join(outDir, old), { force: true });
  for (const f of files.filter((x) => x !== 'manifest.json')) {
    await ensureDir(dirname(join(outDir, f)));
    await rename(join(stage, f), join(outDir, f));
  }
  if (fresh.has('manifest.json')) await rename(join(stage, 'manifest.json'), manifestPath);
}

/** move a failed staging folder to `<out>.failed` (replacing an older one); returns its path */
export async function keepFailed(stage: string, outDir: string): Promise<string> {
  const failed = `${resolve(outDir)}.failed`;
  if (existsSync(failed) && (await stat(failed)).isDirectory()) await rm(failed, { recursive: true, force: true });
  await rename(stage, failed);
  return failed;
}
