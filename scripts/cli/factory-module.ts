/**
 * Loads the user's backend module and finds its storage factory. JavaScript loads with a
 * plain import(); TypeScript through tsx's ESM API, loaded only then (tsx is an optional peer
 * dependency of the kit).
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Capability, StorageFactory, TtlResolution } from '../../conformance/index.js';
import {
  nearest,
  SuiteOptionsError,
  validateTtlResolution,
  validateUnsupported,
} from '../../conformance/suite/options.js';
import { CliError, oneLine } from './errors.js';

/** Export names tried, in order, when --export is not given. */
export const FACTORY_EXPORTS = ['default', 'factory', 'createStorage'] as const;
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
/** Exports the CLI reads besides the factory; a near miss of one of these is refused as a typo. */
const DECLARATION_EXPORTS = ['unsupported', 'ttlResolution'] as const;
/** How long loading a module may take (a top-level await that never settles must not hang the check). */
export const MODULE_LOAD_TIMEOUT_MS = Number(process.env.SA_STORAGE_KIT_LOAD_TIMEOUT_MS) || 30_000;

export interface LoadedFactory {
  readonly factory: StorageFactory;
  /** Which export it came from. */
  readonly exportName: string;
  /** The module's optional `unsupported` export: capabilities it lacks, with reasons. */
  readonly unsupported: Partial<Record<Capability, string>> | undefined;
  /** The module's optional `ttlResolution` export: `{ ms, reason }`. */
  readonly ttlResolution: TtlResolution | undefined;
}

type Namespace = Record<string, unknown>;

function isModuleNotFound(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(name)
  );
}

async function importTypeScript(url: string): Promise<Namespace> {
  let tsImport: (specifier: string, parentURL: string) => Promise<Namespace>;
  try {
    ({ tsImport } = await import('tsx/esm/api'));
  } catch (error) {
    if (isModuleNotFound(error, 'tsx')) {
      throw new CliError(
        'checking a TypeScript module needs tsx: install tsx to check TypeScript modules (npm install --save-dev tsx), or point the CLI at compiled JavaScript',
        2,
        { cause: error },
      );
    }
    throw error;
  }
  return tsImport(url, import.meta.url);
}

function describeExport(name: string, value: unknown): string {
  const type = value === null ? 'null' : typeof value === 'function' && isClass(value) ? 'class' : typeof value;
  return `${name} (${type})`;
}

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

function listExports(namespace: Namespace): string {
  const names = Object.keys(namespace);
  return names.length === 0
    ? 'it has no exports'
    : `its exports: ${names.map((n) => describeExport(n, namespace[n])).join(', ')}`;
}

/**
 * A CommonJS module (or TypeScript compiled to it) arrives with its exports object as the
 * default export: `module.exports = { factory }`, or `exports.default = factory`. Its
 * properties count as the module's exports.
 */
function commonJsExports(namespace: Namespace): Namespace {
  const fallback = namespace.default;
  if (fallback === null || typeof fallback !== 'object' || Array.isArray(fallback)) return namespace;
  const merged: Namespace = { ...namespace, ...(fallback as Namespace) };
  if (!('default' in (fallback as Namespace))) delete merged.default;
  return merged;
}

function checkFactory(specifier: string, name: string, value: unknown): StorageFactory {
  const shown = name === 'default' ? 'the default export' : `export "${name}"`;
  if (isClass(value)) {
    throw new CliError(
      `${shown} of ${specifier} is a class, not a factory: export a function instead, e.g. export default (ctx) => new ${(value as { name?: string }).name || 'MyStorage'}({ clock: ctx.clock })`,
    );
  }
  if (typeof value !== 'function') {
    throw new CliError(
      `${shown} of ${specifier} is ${value === null ? 'null' : typeof value}, not a storage factory function`,
    );
  }
  return value as StorageFactory;
}

/** Reads the declarations (unsupported, ttlResolution), refusing wrong shapes and misspelt export names. */
function readDeclarations(
  specifier: string,
  namespace: Namespace,
): Pick<LoadedFactory, 'unsupported' | 'ttlResolution'> {
  const known: readonly string[] = [...FACTORY_EXPORTS, ...DECLARATION_EXPORTS];
  for (const name of Object.keys(namespace)) {
    if (known.includes(name)) continue;
    const near = nearest(name, DECLARATION_EXPORTS);
    if (near !== undefined) {
      throw new CliError(`${specifier} exports "${name}", which the CLI does not read; did you mean "${near}"?`);
    }
  }
  try {
    validateUnsupported(namespace.unsupported, `export "unsupported" of ${specifier}`);
    validateTtlResolution(namespace.ttlResolution, `export "ttlResolution" of ${specifier}`);
  } catch (error) {
    if (error instanceof SuiteOptionsError) throw new CliError(error.message);
    throw error;
  }
  return {
    unsupported: namespace.unsupported as Partial<Record<Capability, string>> | undefined,
    ttlResolution: namespace.ttlResolution as TtlResolution | undefined,
  };
}

/** Loading with a deadline, kept alive by its own timer (a pending top-level await holds nothing). */
async function importWithin<T>(load: Promise<T>, specifier: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            `loading ${specifier} did not finish within ${MODULE_LOAD_TIMEOUT_MS / 1000} s (a top-level await that never settles?)`,
          ),
        ),
      MODULE_LOAD_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([load, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Imports `specifier` (a file path, relative to cwd) and returns its factory. */
export async function loadFactoryModule(
  specifier: string,
  exportName: string | undefined,
  cwd: string = process.cwd(),
): Promise<LoadedFactory> {
  const file = resolve(cwd, specifier);
  if (!existsSync(file))
    throw new CliError(`module not found: ${specifier}${file === specifier ? '' : ` (no file at ${file})`}`);
  if (statSync(file).isDirectory())
    throw new CliError(`${specifier} is a directory: give the module file, e.g. ${specifier}/index.js`);
  const url = pathToFileURL(file).href;

  let loaded: Namespace;
  try {
    loaded = await importWithin(
      TYPESCRIPT_EXTENSIONS.has(extname(file)) ? importTypeScript(url) : (import(url) as Promise<Namespace>),
      specifier,
    );
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`could not load ${specifier}: ${oneLine(error)}`, 2, { cause: error });
  }
  const namespace = commonJsExports(loaded);

  if (exportName !== undefined) {
    if (!(exportName in namespace))
      throw new CliError(`${specifier} has no export named "${exportName}"; ${listExports(namespace)}`);
    return {
      factory: checkFactory(specifier, exportName, namespace[exportName]),
      exportName,
      ...readDeclarations(specifier, namespace),
    };
  }
  for (const name of FACTORY_EXPORTS) {
    const value = namespace[name];
    if (value === undefined) continue;
    return {
      factory: checkFactory(specifier, name, value),
      exportName: name,
      ...readDeclarations(specifier, namespace),
    };
  }
  throw new CliError(
    `${specifier} exports no storage factory: export default (ctx) => storage, or name it factory or createStorage, or pick one with --export NAME; ${listExports(namespace)}`,
  );
}
