/**
 * Starts a throwaway redis-server for tests and benchmarks: a free port on 127.0.0.1,
 * no persistence, its own temporary directory, stopped (and its directory removed) by `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRedis {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  readonly dir: string;
  stop(): Promise<void>;
}

export interface LocalRedisOptions {
  /** Extra `redis-server` arguments, e.g. ['--requirepass', 'secret']. */
  args?: readonly string[];
  /** The binary to run (default: `redis-server` on PATH, or REDIS_SERVER_BIN). */
  binary?: string;
  /** How long to wait for the server to accept connections (ms, default 10000). */
  startTimeoutMs?: number;
  /** Use this port instead of a free one (for restart tests). */
  port?: number;
  /**
   * Run in this existing directory instead of a fresh temporary one (a cluster node restarted
   * with its nodes.conf). The caller owns it: `stop()` leaves it in place.
   */
  dir?: string;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => finish(new Error(`redis-server not ready after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`redis-server exited with code ${code}:\n${output}`));
    const onError = (error: Error) => finish(error);
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
    child.on('error', onError);
  });
}

/** Starts redis-server; retries on another port if the chosen one was taken meanwhile. */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    const ownDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sa-storage-kit-redis-'));
    const child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--logfile',
        '',
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForReady(child, options.startTimeoutMs ?? 10_000);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      if (options.port !== undefined) break;
      continue;
    }
    child.stdout?.resume();
    child.stderr?.resume();
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGCONT'); // a paused server would never handle SIGTERM
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    };
    return { host: '127.0.0.1', port, url: `redis://127.0.0.1:${port}`, process: child, dir, stop };
  }
  throw new Error(`could not start ${binary}: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
