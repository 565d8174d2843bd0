#!/usr/bin/env node
/**
 * The `sa-storage-kit` command: `check` a SaStorage backend against the contract, or print
 * the `spec`. Exit codes: 0 conformant, 1 not conformant, 2 usage error or the module could
 * not be loaded.
 */
import { parseCommandLine, wantsVerbose } from './arguments.js';
import { CliError, EXIT_USAGE, oneLine, UsageError } from './errors.js';
import { packageInfo } from './package-info.js';
import type { CommandIo } from './spec-command.js';
import { usage } from './usage.js';

async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const verbose = wantsVerbose(argv);
  try {
    const command = parseCommandLine(argv);
    switch (command.kind) {
      case 'help':
        io.stdout.write(`${usage(command.topic)}\n`);
        return 0;
      case 'version':
        io.stdout.write(`${packageInfo().version}\n`);
        return 0;
      // Each command loads only its own modules: `serve` is a backend process that `check --exec`
      // starts (and waits for) on every run, and need not load the suite it is checked by.
      case 'spec':
        return (await import('./spec-command.js')).runSpec(command.args, io);
      case 'check':
        return await (await import('./check-command.js')).runCheck(command.args, io);
      case 'serve':
        return await (await import('./protocol-commands.js')).runServe(command.args, io);
      case 'vectors':
        return await (await import('./protocol-commands.js')).runVectors(command.args, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const topic = ['check', 'spec', 'serve', 'vectors'].includes(argv[0] ?? '') ? argv[0] : undefined;
      if (topic === undefined) io.stderr.write(`sa-storage-kit: ${error.message}\n\n${usage()}\n`);
      else io.stderr.write(`sa-storage-kit: ${error.message} (see sa-storage-kit ${topic} --help)\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      io.stderr.write(`sa-storage-kit: ${error.message}\n`);
      if (verbose && error.cause !== undefined) io.stderr.write(`${describeCause(error.cause)}\n`);
      return error.exitCode;
    }
    io.stderr.write(`sa-storage-kit: unexpected error: ${oneLine(error)}\n`);
    io.stderr.write(verbose ? `${describeCause(error)}\n` : 'Run again with --verbose for the stack trace.\n');
    return EXIT_USAGE;
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error && cause.stack ? cause.stack : String(cause);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

const exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
await Promise.all([flush(process.stdout), flush(process.stderr)]);
// Exit explicitly: a backend's open handles (timers, sockets) must not keep the process alive.
process.exit(exitCode);
