/** Types of scopes.mjs (plain JavaScript, since stryker.config.mjs imports it without a TypeScript loader). */
export interface Scope {
  readonly name: string;
  readonly mutate: string[];
  readonly tests: string[];
  readonly coverageAnalysis: 'perTest' | 'off';
  readonly timeoutMS: number;
}
export declare const SCOPES: Record<string, Scope>;
export declare const scope: Scope | undefined;
