/** `sa-storage-kit spec`: print, write or check the generated spec document. */
import { existsSync, readFileSync } from 'node:fs';
import { rules } from '../../conformance/index.js';
import type { SpecArguments } from './arguments.js';
import { EXIT_CONFORMANT, EXIT_NOT_CONFORMANT } from './errors.js';
import { writeOutputFile } from './output-files.js';
import { runningFromSource } from './package-info.js';
import { generateSpecDocument } from './spec-document.js';
import type { OutputStream } from './terminal.js';

export interface CommandIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
}

function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] !== got[i]) {
      const show = (line: string | undefined) =>
        line === undefined ? 'end of file' : JSON.stringify(line.slice(0, 80));
      return `line ${i + 1} should be ${show(want[i])}, is ${show(got[i])}`;
    }
  }
  return 'the files differ';
}

export function runSpec(args: SpecArguments, io: CommandIo): number {
  const document = generateSpecDocument(rules);
  if (args.check !== undefined) {
    const regenerate = runningFromSource() ? 'npm run spec' : `sa-storage-kit spec --out ${args.check}`;
    if (!existsSync(args.check)) {
      io.stderr.write(`${args.check} does not exist: generate it with ${regenerate}\n`);
      return EXIT_NOT_CONFORMANT;
    }
    const current = readFileSync(args.check, 'utf8').replace(/\r\n/g, '\n');
    if (current !== document) {
      io.stderr.write(
        `${args.check} is stale (${firstDifference(document, current)}): regenerate it with ${regenerate}\n`,
      );
      return EXIT_NOT_CONFORMANT;
    }
    io.stdout.write(`${args.check} is up to date (${rules.length} rules)\n`);
    return EXIT_CONFORMANT;
  }
  if (args.out !== undefined) {
    writeOutputFile(args.out, document, 'spec');
    io.stdout.write(`wrote ${args.out} (${rules.length} rules)\n`);
    return EXIT_CONFORMANT;
  }
  io.stdout.write(document);
  return EXIT_CONFORMANT;
}
