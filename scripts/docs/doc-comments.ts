/**
 * Which exported symbols of the package have no doc comment, read from the emitted .d.ts files
 * (TypeScript 7's compiler has no JS API; the declarations are what an editor shows on hover).
 *
 * For each entry point of package.json `exports`, every exported name is followed through
 * `export { … } from` and `export * from` to its declaration, which must be preceded by a
 * `/** … *\/` comment. Members of exported classes and interfaces need one too, except private
 * ones, constructors, and class methods of the SaStorage contract (an editor shows the
 * interface's comment for them).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SA_STORAGE_METHODS } from '../../conformance/contract/index.js';

interface Declaration {
  readonly name: string;
  readonly line: number;
  readonly documented: boolean;
  readonly kind: string;
  /** Undocumented members (classes and interfaces). */
  readonly undocumentedMembers: readonly { name: string; line: number }[];
}

interface ParsedFile {
  readonly declarations: Map<string, Declaration>;
  /** exported name → [module specifier, name there] */
  readonly reexports: Map<string, [string, string]>;
  readonly starExports: string[];
  /** Names exported from this file's own declarations (`export declare …` or `export { x }`). */
  readonly localExports: Set<string>;
  /** imported name → [module specifier, name there] */
  readonly imports: Map<string, [string, string]>;
}

const DECLARATION =
  /^(export )?(?:declare )?(?:abstract )?(function|class|const|let|var|interface|type|enum|namespace) ([\w$]+)/;
const MEMBER =
  /^ {4}(?:(?:public|protected|readonly|static|abstract|get|set|declare|override) )*([\w$]+|\[[^\]]+\])\??\s*[(:<]/;
const CONTRACT_METHODS: ReadonlySet<string> = new Set(SA_STORAGE_METHODS);

function parse(file: string): ParsedFile {
  const lines = readFileSync(file, 'utf8').split('\n');
  const parsed: ParsedFile = {
    declarations: new Map(),
    reexports: new Map(),
    starExports: [],
    localExports: new Set(),
    imports: new Map(),
  };
  let docEndsAt = -2;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*\/\*\*/.test(line)) {
      while (i < lines.length && !(lines[i] ?? '').includes('*/')) i++;
      docEndsAt = i;
      continue;
    }
    const documented = docEndsAt === i - 1;
    const imported = /^import (?:type )?\{/.test(line) ? joinStatement(lines, i) : undefined;
    if (imported !== undefined) {
      const from = /from ['"]([^'"]+)['"]/.exec(imported.text)?.[1] ?? '';
      for (const spec of (/\{([^}]*)\}/.exec(imported.text)?.[1] ?? '').split(',')) {
        const [original, alias] = spec
          .trim()
          .replace(/^type /, '')
          .split(/\s+as\s+/);
        if (original) parsed.imports.set(alias ?? original, [from, original]);
      }
      i = imported.end;
      continue;
    }
    const statement = /^export (?:type )?\{/.test(line) ? joinStatement(lines, i) : undefined;
    if (statement !== undefined) {
      const from = /from ['"]([^'"]+)['"]/.exec(statement.text)?.[1];
      for (const spec of (/\{([^}]*)\}/.exec(statement.text)?.[1] ?? '').split(',')) {
        const [original, alias] = spec
          .trim()
          .replace(/^type /, '')
          .split(/\s+as\s+/);
        if (!original) continue;
        if (from === undefined) parsed.localExports.add(alias ?? original);
        else parsed.reexports.set(alias ?? original, [from, original]);
        if (from === undefined && alias !== undefined) parsed.reexports.set(alias, ['.', original]);
      }
      i = statement.end;
      continue;
    }
    const star = /^export \* from ['"]([^'"]+)['"]/.exec(line);
    if (star) {
      parsed.starExports.push(star[1] as string);
      continue;
    }
    const match = DECLARATION.exec(line);
    if (!match) continue;
    const [, exported, kind = '', name = ''] = match;
    const start = i + 1;
    if (exported) parsed.localExports.add(name);
    const undocumentedMembers: { name: string; line: number }[] = [];
    if ((kind === 'class' || kind === 'interface') && line.trimEnd().endsWith('{')) {
      let memberDocEndsAt = -2;
      for (i++; i < lines.length && !(lines[i] ?? '').startsWith('}'); i++) {
        const memberLine = lines[i] ?? '';
        if (/^\s*\/\*\*/.test(memberLine)) {
          while (i < lines.length && !(lines[i] ?? '').includes('*/')) i++;
          memberDocEndsAt = i;
          continue;
        }
        const member = MEMBER.exec(memberLine)?.[1];
        if (member === undefined || /^ {4}(private|#private)/.test(memberLine) || member === 'constructor') continue;
        if (kind === 'class' && CONTRACT_METHODS.has(member)) continue;
        if (memberDocEndsAt !== i - 1) undocumentedMembers.push({ name: member, line: i + 1 });
      }
    }
    if (!parsed.declarations.has(name)) {
      parsed.declarations.set(name, { name, line: start, documented, kind, undocumentedMembers });
    }
  }
  return parsed;
}

function joinStatement(lines: readonly string[], start: number): { text: string; end: number } {
  let text = '';
  let end = start;
  for (; end < lines.length; end++) {
    text += `${lines[end]} `;
    if ((lines[end] ?? '').includes(';')) break;
  }
  return { text, end };
}

function resolveModule(fromFile: string, specifier: string): string {
  return join(dirname(fromFile), specifier.replace(/\.js$/, '.d.ts'));
}

/** Every undocumented exported symbol reachable from the given .d.ts entry files, as "file:line name". */
export function undocumentedExports(entries: readonly string[], baseDir: string): string[] {
  const cache = new Map<string, ParsedFile>();
  const load = (file: string) => {
    let parsed = cache.get(file);
    if (parsed === undefined) {
      parsed = parse(file);
      cache.set(file, parsed);
    }
    return parsed;
  };
  const findings = new Set<string>();
  const seen = new Set<string>();

  const visit = (file: string, name: string): void => {
    const key = `${file}#${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const parsed = load(file);
    const reexport =
      parsed.reexports.get(name) ??
      (parsed.localExports.has(name) && !parsed.declarations.has(name) ? parsed.imports.get(name) : undefined);
    if (reexport !== undefined) {
      const [specifier, original] = reexport;
      visit(specifier === '.' ? file : resolveModule(file, specifier), original);
      return;
    }
    const declaration = parsed.declarations.get(name);
    if (declaration !== undefined) {
      const where = relative(baseDir, file);
      if (!declaration.documented) findings.add(`${where}:${declaration.line} ${declaration.kind} ${name}`);
      for (const member of declaration.undocumentedMembers) {
        findings.add(`${where}:${member.line} ${name}.${member.name}`);
      }
      return;
    }
    for (const specifier of parsed.starExports) {
      const target = resolveModule(file, specifier);
      if (exportedNames(target, load).has(name)) {
        visit(target, name);
        return;
      }
    }
    findings.add(`${relative(baseDir, file)} ${name}: declaration not found`);
  };

  for (const entry of entries) {
    for (const name of exportedNames(entry, load)) visit(entry, name);
  }
  return [...findings].sort();
}

function exportedNames(file: string, load: (file: string) => ParsedFile): Set<string> {
  const parsed = load(file);
  const names = new Set([...parsed.localExports, ...parsed.reexports.keys()]);
  for (const specifier of parsed.starExports) {
    for (const name of exportedNames(resolveModule(file, specifier), load)) names.add(name);
  }
  return names;
}
