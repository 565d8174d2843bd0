/** Writes report files, creating their folders; a failure names the file and the reason. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, oneLine } from './errors.js';

export function writeOutputFile(path: string, content: string, what: string): string {
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  } catch (error) {
    throw new CliError(`could not write the ${what} to ${path}: ${oneLine(error)}`, 2, { cause: error });
  }
  return file;
}
