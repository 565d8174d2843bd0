/**
 * What `check` runs against: the user's module, or one of the reference backends
 * (--backend memory | redis | database), resolved into a factory plus how to replay it.
 */
import type { SaStorage } from '../../conformance/contract/index.js';
import type { Capability, ClockMode, StorageFactory, TtlResolution } from '../../conformance/index.js';
import { DatabaseStorage } from '../../implementations/database/index.js';
import { MemoryStorage } from '../../implementations/memory/index.js';
import type { BackendName, CheckArguments } from './arguments.js';
import { CliError, UsageError } from './errors.js';
import { type ExecHooks, resolveExecTarget } from './exec-target.js';
import { loadFactoryModule } from './factory-module.js';

export interface CheckTarget {
  /** Shown in the report header, e.g. "./my-storage.mjs (default export)". */
  readonly label: string;
  readonly factory: StorageFactory;
  readonly clock: ClockMode;
  readonly unsupported: Partial<Record<Capability, string>> | undefined;
  readonly ttlResolution?: TtlResolution | undefined;
  /** The arguments that select this target again, for replay commands. */
  readonly replayArgs: readonly string[];
  /** Extra lines for the header (where a Redis came from, …). */
  readonly notes: readonly string[];
  /** Releases what resolving the target started (a throwaway redis-server). */
  dispose(): Promise<void>;
  /** Hooks of a backend program (--exec): label incidents by rule, put them in the verdict, show its log. */
  readonly process?: ExecHooks;
}

const nothingToDispose = async () => {};

export async function resolveCheckTarget(args: CheckArguments): Promise<CheckTarget> {
  if (args.exec !== undefined) return resolveExecTarget(args.exec, args);
  if (args.module !== undefined) {
    const loaded = await loadFactoryModule(args.module, args.exportName);
    return {
      label: `${args.module} (${loaded.exportName === 'default' ? 'default export' : `export ${loaded.exportName}`})`,
      factory: loaded.factory,
      clock: args.clock ?? 'virtual',
      unsupported: loaded.unsupported,
      ttlResolution: loaded.ttlResolution,
      replayArgs: [args.module, ...(args.exportName !== undefined ? ['--export', args.exportName] : [])],
      notes: [],
      dispose: nothingToDispose,
    };
  }
  return resolveBackend(args.backend ?? 'memory', args);
}

async function resolveBackend(backend: BackendName, args: CheckArguments): Promise<CheckTarget> {
  const common = { unsupported: undefined, replayArgs: ['--backend', backend], dispose: nothingToDispose };
  switch (backend) {
    case 'memory':
      return {
        ...common,
        label: 'MemoryStorage (--backend memory)',
        factory: (ctx) => new MemoryStorage({ clock: ctx.clock }),
        clock: args.clock ?? 'virtual',
        notes: [],
      };
    case 'database': {
      const url = process.env.DATABASE_URL || 'postgres://localhost/sa_token';
      return {
        ...common,
        label: 'DatabaseStorage stub (--backend database)',
        factory: () => new DatabaseStorage(url),
        clock: args.clock ?? 'virtual',
        notes: [],
      };
    }
    case 'redis':
      if (args.clock === 'virtual') {
        throw new UsageError('the redis backend keeps its own time: drop --clock virtual (it runs with --clock real)');
      }
      return resolveRedis();
  }
}

// Loaded by computed URLs, so this file compiles and runs even where they are absent (the
// published dist does not ship scripts/redis; ioredis is an optional peer dependency).
const REDIS_MODULE = '../../implementations/redis/index.js';
const PROVISION_MODULE = '../redis/provision.js';

interface RedisModule {
  readonly RedisStorage: {
    connect(url: string, keyPrefix?: string): Promise<SaStorage & { close(): Promise<void> }>;
  };
}
interface ProvisionModule {
  provisionRedis(): Promise<{ readonly url: string; readonly source: string; stop(): Promise<void> }>;
}

const NOT_IN_BUILD = 'redis backend not available in this build';

function missingModule(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  return String((error as Error).message);
}

async function importRelative<T>(path: string): Promise<T> {
  return (await import(new URL(path, import.meta.url).href)) as T;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

async function resolveRedis(): Promise<CheckTarget> {
  let redis: RedisModule;
  try {
    redis = await importRelative<RedisModule>(REDIS_MODULE);
  } catch (error) {
    const message = missingModule(error);
    if (message?.includes('ioredis')) {
      throw new CliError('the redis backend needs the ioredis package: npm install ioredis', 2, { cause: error });
    }
    if (message !== undefined) throw new CliError(NOT_IN_BUILD, 2, { cause: error });
    throw error;
  }

  let url = process.env.REDIS_URL;
  let source = 'REDIS_URL';
  let stop = nothingToDispose;
  if (!url) {
    let provision: ProvisionModule;
    try {
      provision = await importRelative<ProvisionModule>(PROVISION_MODULE);
    } catch (error) {
      if (missingModule(error) === undefined) throw error;
      throw new CliError(
        `${NOT_IN_BUILD} without REDIS_URL: set REDIS_URL=redis://host:port to check a server you run`,
        2,
        {
          cause: error,
        },
      );
    }
    try {
      const provisioned = await provision.provisionRedis();
      ({ url, source, stop } = provisioned);
    } catch (error) {
      throw new CliError(
        'no Redis server to check against: set REDIS_URL=redis://host:port, or install redis-server (apt-get install redis-server, brew install redis)',
        2,
        { cause: error },
      );
    }
  }
  const serverUrl = url;
  return {
    label: 'RedisStorage (--backend redis)',
    factory: async (ctx) => {
      const storage = await redis.RedisStorage.connect(serverUrl, ctx.namespace);
      return { storage, dispose: () => storage.close() };
    },
    clock: 'real',
    unsupported: undefined,
    replayArgs: ['--backend', 'redis'],
    notes: [`Redis at ${redactUrl(serverUrl)} (${source === 'local' ? 'a throwaway local redis-server' : source})`],
    dispose: () => stop(),
  };
}
