/** What the numbers were measured on: machine, runtimes and the versions of every contender. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memory: string;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
  readonly redisServer: string;
  readonly loadAtStart: string;
  readonly packages: Readonly<Record<string, string>>;
}

const PACKAGES = ['ioredis', 'keyv', '@keyv/redis', '@redis/client', 'unstorage', 'node-cache', 'lru-cache', 'tsx'];

function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    // Not every package exports ./package.json; find it next to the resolved entry instead.
    const entry = require.resolve(name);
    let dir = entry;
    for (let i = 0; i < 6; i++) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      try {
        const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // keep walking up
      }
    }
  } catch {
    // not installed
  }
  return 'not installed';
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

export function machineInfo(): MachineInfo {
  let redisServer = 'not found';
  try {
    redisServer = execFileSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'], { encoding: 'utf8' })
      .trim()
      .replace(/^Redis server /, '');
  } catch {
    // no redis-server on PATH
  }
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    v8: process.versions.v8,
    redisServer,
    loadAtStart: loadAverage(),
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
  };
}
