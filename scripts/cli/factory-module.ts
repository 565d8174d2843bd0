/**
 * Loads the user's backend module and finds its storage factory. JavaScript loads with a
 * plain import(); TypeScript through tsx's ESM API, loaded only then (tsx is an optional peer
 * dependency of the kit).
 */
import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Capability, StorageFactory } from '../../conformance/index.js';
import { CliError, oneLine } from './errors.js';

/** Export names tried, in order, when --export is not given. */
export const FACTORY_EXPORTS = ['default', 'factory', 'createStorage'] as const;
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
const CAPABILITIES: readonly Capability[] = ['keys', 'namespaces', 'large-values', 'atomic-counters', 'atomic-mset'];

export interface LoadedFactory {
  readonly factory: StorageFactory;
  /** Which export it came from. */
  readonly exportName: string;
  /** The module's optional `unsupported` export: capabilities it lacks, with reasons. */
  readonly unsupported: Partial<Record<Capability, string>> | undefined;
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

function readUnsupported(specifier: string, value: unknown): Partial<Record<Capability, string>> | undefined {
  if (value === undefined) return undefined;
  const problem = `export "unsupported" of ${specifier} must map capabilities (${CAPABILITIES.join(', ')}) to reasons, e.g. { keys: 'no key listing' }`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CliError(problem);
  for (const [capability, reason] of Object.entries(value)) {
    if (!(CAPABILITIES as readonly string[]).includes(capability) || typeof reason !== 'string')
      throw new CliError(problem);
  }
  return value as Partial<Record<Capability, string>>;
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
    loaded = TYPESCRIPT_EXTENSIONS.has(extname(file))
      ? await importTypeScript(url)
      : ((await import(url)) as Namespace);
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
      unsupported: readUnsupported(specifier, namespace.unsupported),
    };
  }
  for (const name of FACTORY_EXPORTS) {
    const value = namespace[name];
    if (value === undefined) continue;
    return {
      factory: checkFactory(specifier, name, value),
      exportName: name,
      unsupported: readUnsupported(specifier, namespace.unsupported),
    };
  }
  throw new CliError(
    `${specifier} exports no storage factory: export default (ctx) => storage, or name it factory or createStorage, or pick one with --export NAME; ${listExports(namespace)}`,
  );
}
