import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** shared/ sits beside the checkout (CI lays a copy of it there too) */
export const sharedData = process.env.LAYERNAS_SHARED_DATA ?? resolve(repoRoot, '..', 'shared', 'data');
