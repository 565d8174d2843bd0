/**
 * The docs cannot drift from the code: every fenced block of README.md and docs/*.md is
 * type-checked against the package's sources, run when marked `<!-- check: run -->`, or (shell)
 * checked against package.json, the CLI parser and the test folder; the kit's output shown in
 * the docs is what the kit prints today. See scripts/docs/code-blocks.ts for the markers.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkDocumentation, formatProblems } from '../scripts/docs/code-blocks.js';
import { EXAMPLES, fillRegions, markdownFiles, runExample, withoutDurations } from '../scripts/docs/outputs.js';

const root = new URL('..', import.meta.url).pathname;

describe('code blocks of README.md and docs/*.md', () => {
  test('every block is labelled, type-checks, runs when marked, and names real scripts and options', () => {
    const problems = checkDocumentation();
    expect(formatProblems(problems), 'fix the blocks named below (file:line)').toBe('');
  }, 240_000);

  test('a broken snippet is reported with its file and line', () => {
    const dir = join(root, 'test/.tmp/docs-selftest');
    mkdirSync(dir, { recursive: true });
    const markdown = [
      '# broken on purpose', // 1
      '```ts', // 2
      "import { stepCountr } from 'sa-storage-kit';", // 3: no such export
      'stepCountr(null, 1, "k");', // 4
      '```', // 5
      '```', // 6: no language
      'plain', // 7
      '```', // 8
      '```sh', // 9
      'npm run no-such-script', // 10
      'npx sa-storage-kit check --clock sideways', // 11
      '```', // 12
      '<!-- check: run -->', // 13
      '```ts', // 14
      "throw new Error('boom');", // 15
      '```', // 16
      'See [nowhere](nowhere.md) and [the top](#broken-on-purpose) and [no such heading](#missing).', // 17
      '```sql', // 18
      'CREATE TABLE sa_storage (k text);', // 19: not the schema the SQL backends create
      '```', // 20
      '```sh', // 21
      'npx sa-storage-kit check --exec "python3 backend.py" --seed 1', // 22: one quoted command, parses
      "npx sa-storage-kit check --exec 'python3 backend.py' --clock sideways", // 23
      '```', // 24
    ].join('\n');
    writeFileSync(join(dir, 'BROKEN.md'), markdown);
    const report = formatProblems(checkDocumentation(['test/.tmp/docs-selftest/BROKEN.md'], join(dir, 'work')));
    const file = 'test/.tmp/docs-selftest/BROKEN.md';
    expect(report).toContain(`${file}:3: error TS2724`);
    expect(report).toContain(`${file}:7: fenced block without a language`);
    expect(report).toContain(`${file}:10: npm script "no-such-script" is not in package.json`);
    expect(report).toMatch(new RegExp(`${file}:11: sa-storage-kit check --clock sideways: .*clock`));
    expect(report).toMatch(new RegExp(`${file}:15: running the block exited 1:[\\s\\S]*boom`));
    expect(report).toContain(`${file}:17: link to missing test/.tmp/docs-selftest/nowhere.md`);
    expect(report).toContain(`${file}:17: no heading #missing in ${file}`);
    expect(report).not.toContain('#broken-on-purpose');
    expect(report).toContain(`${file}:19: this SQL is not what postgresSchemaSql`);
    expect(report).not.toContain(`${file}:22:`);
    expect(report).toMatch(
      new RegExp(`${file}:23: sa-storage-kit check --exec python3 backend.py --clock sideways: .*clock`),
    );
  }, 120_000);
});

describe('the kit output shown in the docs', () => {
  let runs: Map<string, ReturnType<typeof runExample>> | undefined;
  /** Each example is run once for both tests. */
  const examples = () => {
    runs ??= new Map(Object.keys(EXAMPLES).map((name) => [name, runExample(name)]));
    return runs;
  };

  test('is what the kit prints today (durations aside): else run npm run docs:outputs', () => {
    const outputs = new Map([...examples()].map(([name, run]) => [name, run.output]));
    for (const file of markdownFiles()) {
      const current = readFileSync(join(root, file), 'utf8');
      expect(withoutDurations(fillRegions(current, outputs)), `${file}: run npm run docs:outputs`).toBe(
        withoutDurations(current),
      );
    }
  }, 240_000);

  test('the guided example ends conformant, and its first try does not', () => {
    expect(examples().get('conformant')?.status).toBe(0);
    expect(examples().get('first-try')?.status).toBe(1);
  }, 120_000);
});
