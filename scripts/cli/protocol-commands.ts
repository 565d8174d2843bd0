/**
 * `sa-storage-kit serve` (the reference side of the process protocol, over stdin/stdout) and
 * `sa-storage-kit vectors` (the suite's checks as JSON for runners in other languages).
 */
import { serveProtocol } from '../../conformance/protocol/serve.js';
import { DatabaseStorage } from '../../implementations/database/index.js';
import { MemoryStorage } from '../../implementations/memory/index.js';
import { writeOutputFile } from './output-files.js';
import type { ServeArguments, VectorsArguments } from './protocol-arguments.js';
import type { CommandIo } from './spec-command.js';

export const SERVE_USAGE = `sa-storage-kit serve [--backend memory|database]

Speaks the process protocol (docs/protocol.md) on stdin/stdout, serving a reference backend:
the other side that \`check --exec\` talks to, to compare a backend's answers with. Logs go to
stderr. Ends when stdin closes.

  --backend memory     MemoryStorage (default): stores of one namespace share their data
  --backend database   the DatabaseStorage stub: every call rejects with InternalError`;

export const VECTORS_USAGE = `sa-storage-kit vectors [--out FILE] [--seed N] [--runs N] [--only IDS]

Writes the suite's checks as JSON test vectors (format in docs/protocol.md): for each rule, the
requests it makes with their virtual time, and the answer or error kind the contract requires,
recorded against the reference backend. A runner in any language replays them without Node.

  --out FILE   write to FILE instead of stdout
  --seed N     seed of the generated checks (default 1; same seed, same file)
  --runs N     runs of each property rule, e.g. MODEL-01's command scripts (default 10)
  --only IDS   only rules whose id equals or starts with one of IDS`;

export async function runServe(args: ServeArguments, io: CommandIo): Promise<number> {
  if (args.help) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const log = (line: string) => io.stderr.write(`serve: ${line}\n`);
  log(`serving ${args.backend} on stdin/stdout (process protocol 1)`);
  await serveProtocol(
    args.backend === 'memory'
      ? (_namespace, clock) => new MemoryStorage({ clock })
      : () => new DatabaseStorage('postgres://localhost/sa_token'),
    { input: process.stdin, output: process.stdout, log, name: `sa-storage-kit ${args.backend}` },
  );
  return 0;
}

export async function runVectors(args: VectorsArguments, io: CommandIo): Promise<number> {
  if (args.help) {
    io.stdout.write(`${VECTORS_USAGE}\n`);
    return 0;
  }
  // The vectors run the suite: loaded here, not by `serve`, which must start fast.
  const { generateVectors, serializeVectors } = await import('../../conformance/protocol/vectors.js');
  const vectors = await generateVectors({
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.runs !== undefined ? { numRuns: args.runs } : {}),
    ...(args.only.length > 0 ? { only: args.only } : {}),
  });
  const text = `${serializeVectors(vectors)}\n`;
  if (args.out === undefined) {
    io.stdout.write(text);
    return 0;
  }
  writeOutputFile(args.out, text, 'test vectors');
  const steps = vectors.cases.reduce((n, c) => n + c.steps.length, 0);
  io.stderr.write(`test vectors: ${args.out} (${vectors.cases.length} cases, ${steps} steps, seed ${vectors.seed})\n`);
  return 0;
}
