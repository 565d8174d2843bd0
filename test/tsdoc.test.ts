/**
 * Every exported symbol of the package's entry points has a doc comment, so an editor shows the
 * contract sentence on hover. Read from the declarations tsc emits (TypeScript 7 has no JS API);
 * a failure lists each symbol as "<declaration file>:<line> <name>" (the source is the same path
 * with .ts). Other entry points added to package.json `exports` are covered automatically.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { undocumentedExports } from '../scripts/docs/doc-comments.js';

const root = new URL('..', import.meta.url).pathname;
const declarations = join(root, `test/.tmp/tsdoc-${process.pid}`);

beforeAll(() => {
  execFileSync(
    join(root, 'node_modules/.bin/tsc'),
    [
      '-p',
      'tsconfig.build.json',
      '--outDir',
      declarations,
      '--emitDeclarationOnly',
      '--sourceMap',
      'false',
      '--inlineSources',
      'false',
    ],
    { cwd: root, stdio: 'pipe' },
  );
}, 180_000);

afterAll(() => rmSync(declarations, { recursive: true, force: true }));

/** The .d.ts file of each entry point in package.json `exports`. */
function entryDeclarations(): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types?: string }>;
  };
  return Object.values(manifest.exports).flatMap((target) =>
    typeof target === 'object' && target.types ? [join(declarations, target.types.replace(/^\.\/dist\//, ''))] : [],
  );
}

describe('doc comments on the public API', () => {
  test('every exported symbol, and every public member of an exported class or interface, has one', () => {
    const missing = undocumentedExports(entryDeclarations(), declarations);
    expect(missing, 'add a /** … */ comment right above each of these in the source (.ts)').toEqual([]);
  });

  test('an undocumented export is found through re-exports, star exports and members', () => {
    const dir = join(declarations, 'selftest');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.d.ts'), "export { documented, bare } from './x.js';\nexport * from './y.js';\n");
    writeFileSync(
      join(dir, 'x.d.ts'),
      '/** Has one. */\nexport declare function documented(): void;\nexport declare const bare: number;\n',
    );
    writeFileSync(
      join(dir, 'y.d.ts'),
      '/** Documented interface. */\nexport interface Shape {\n    /** Documented member. */\n    area(): number;\n    sides: number;\n}\n',
    );
    expect(undocumentedExports([join(dir, 'index.d.ts')], dir)).toEqual([
      'x.d.ts:3 const bare',
      'y.d.ts:5 Shape.sides',
    ]);
  });
});
