/** The kit's own package.json, found from this file both in the source tree and in dist. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
}

let cached: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const json = JSON.parse(readFileSync(candidate, 'utf8')) as Partial<PackageInfo>;
      if (json.name === 'sa-storage-kit') {
        cached = { name: json.name, version: json.version ?? '0.0.0' };
        return cached;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cached = { name: 'sa-storage-kit', version: 'unknown' };
  return cached;
}

/** True when the CLI runs from its TypeScript source (npm start) rather than from dist (the installed bin). */
export function runningFromSource(): boolean {
  return import.meta.url.endsWith('.ts');
}
