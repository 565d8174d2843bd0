/**
 * A throwaway PostgreSQL cluster for fault tests: `initdb` + `pg_ctl` from PostgreSQL's bin
 * folder (`pg_config --bindir`), run as the `postgres` user when started as root, on a free port
 * of 127.0.0.1, its data in a temporary folder removed by `destroy()`. Tests kill it, stop it
 * (SIGSTOP) and restart it; nothing else on the machine is touched.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../redis/local-server.js';

export interface LocalPostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  readonly url: string;
  /** pg_ctl start (waits until it accepts connections). */
  start(): void;
  /** Immediate shutdown: every server process exits at once, like a crash. */
  kill(): void;
  /** SIGSTOP (true) or SIGCONT (false) to the postmaster and every backend: a stalled server. */
  pause(paused: boolean): void;
  /** Stops the server (if running) and removes its data folder. */
  destroy(): void;
}

function bindir(): string {
  const fromEnv = process.env.PG_BINDIR;
  if (fromEnv) return fromEnv;
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

/** True when initdb and pg_ctl can be found (the fault tests say why they are skipped otherwise). */
export function localPostgresAvailable(): string | undefined {
  try {
    const dir = bindir();
    if (!existsSync(join(dir, 'initdb')) || !existsSync(join(dir, 'pg_ctl'))) return `no initdb/pg_ctl in ${dir}`;
    return undefined;
  } catch (error) {
    return `pg_config not found (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}

export async function startLocalPostgres(): Promise<LocalPostgres> {
  const bin = bindir();
  const root = process.getuid?.() === 0;
  const base = mkdtempSync(join(tmpdir(), 'sa-storage-kit-pg-'));
  const data = join(base, 'data');
  const uid = root ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  const gid = root ? Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  if (uid !== undefined && gid !== undefined) chownSync(base, uid, gid);
  /** Runs a PostgreSQL tool, as `postgres` when we are root (the server refuses to run as root). */
  const tool = (name: string, args: string[]) => {
    const command = root ? 'runuser' : join(bin, name);
    const full = root ? ['-u', 'postgres', '--', join(bin, name), ...args] : args;
    return execFileSync(command, full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: base });
  };
  const port = await freePort();
  tool('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions', '-E', 'UTF8']);
  const options = `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  let running = false;
  const postmasterPid = (): number | undefined => {
    const file = join(data, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    return Number(readFileSync(file, 'utf8').split('\n')[0]);
  };
  const cluster: LocalPostgres = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start() {
      tool('pg_ctl', ['-D', data, '-o', options, '-l', join(base, 'log'), '-w', '-t', '30', 'start']);
      running = true;
    },
    kill() {
      tool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      running = false;
    },
    pause(paused) {
      const pid = postmasterPid();
      if (pid === undefined) throw new Error('the throwaway PostgreSQL is not running');
      const children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
        .trim()
        .split('\n');
      for (const target of [pid, ...children.filter(Boolean).map(Number)]) {
        try {
          process.kill(target, paused ? 'SIGSTOP' : 'SIGCONT');
        } catch {
          // a backend that exited meanwhile
        }
      }
    },
    destroy() {
      try {
        if (running) {
          cluster.pause(false);
          cluster.kill();
        }
      } catch {
        // already gone
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    cluster.start();
  } catch (error) {
    rmSync(base, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}
