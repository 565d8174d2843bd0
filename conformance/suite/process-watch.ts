/**
 * Keeps a check alive and in charge of the process while it runs (checkConformance, the CLI):
 * - a ref'd handle, so a backend whose calls never settle cannot let Node exit (code 13, no
 *   report) while the suite's own timers are the only thing left;
 * - an uncaught exception from a callback the backend scheduled, or a rejection it left
 *   unhandled, becomes a finding of the rule that was running instead of killing the process;
 * - process.exit() called by the backend throws instead of ending the check with no verdict.
 * Everything is restored by stop().
 */
import { describeValue } from './failures.js';

export interface Incident {
  readonly kind: 'uncaught exception' | 'unhandled rejection' | 'process.exit';
  readonly message: string;
}

/** What the patched process.exit throws at the backend that called it. */
export class ExitDuringCheck extends Error {
  constructor(readonly code: unknown) {
    super(`process.exit(${describeValue(code)}) was called during a conformance check; the check goes on`);
    this.name = 'ExitDuringCheck';
  }
}

export class ProcessWatch {
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #handler: ((incident: Incident) => void) | undefined;
  /** Incidents met while no rule was listening (between rules, in prepare). */
  readonly #pending: Incident[] = [];
  #originalExit: typeof process.exit | undefined;

  readonly #onException = (error: unknown) => {
    if (error instanceof ExitDuringCheck) return this.#report({ kind: 'process.exit', message: error.message });
    this.#report({ kind: 'uncaught exception', message: describeValue(error) });
  };
  readonly #onRejection = (reason: unknown) => {
    if (reason instanceof ExitDuringCheck) return this.#report({ kind: 'process.exit', message: reason.message });
    this.#report({ kind: 'unhandled rejection', message: describeValue(reason) });
  };

  start(): void {
    if (this.#keepAlive !== undefined) return;
    this.#keepAlive = setInterval(() => {}, 2 ** 30);
    process.on('uncaughtException', this.#onException);
    process.on('unhandledRejection', this.#onRejection);
    const originalExit = process.exit;
    this.#originalExit = originalExit;
    const watch = this;
    process.exit = function exitDuringCheck(code?: unknown): never {
      const error = new ExitDuringCheck(code);
      watch.#report({ kind: 'process.exit', message: error.message });
      throw error;
    } as typeof process.exit;
  }

  stop(): void {
    if (this.#keepAlive === undefined) return;
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    process.off('uncaughtException', this.#onException);
    process.off('unhandledRejection', this.#onRejection);
    if (this.#originalExit !== undefined) process.exit = this.#originalExit;
    this.#originalExit = undefined;
  }

  /**
   * Routes incidents to `handler` (the running rule) until detach(). Incidents met while nobody
   * listened (between rules) are not the new rule's: they go to `carried`.
   */
  attach(handler: (incident: Incident) => void, carried: (incident: Incident) => void = handler): void {
    for (const incident of this.#pending.splice(0)) carried(incident);
    this.#handler = handler;
  }

  detach(): void {
    this.#handler = undefined;
  }

  /** Incidents no rule took (met after the last rule). */
  takePending(): Incident[] {
    return this.#pending.splice(0);
  }

  #report(incident: Incident): void {
    if (this.#handler !== undefined) this.#handler(incident);
    else this.#pending.push(incident);
  }
}

/** The one-line finding for an incident, naming what the backend did. */
export function describeIncident(incident: Incident, during: string): string {
  switch (incident.kind) {
    case 'uncaught exception':
      return `an exception was thrown, uncaught, from a callback the backend scheduled ${during}: ${incident.message}`;
    case 'unhandled rejection':
      return `the backend left a rejected promise unhandled ${during}: ${incident.message}`;
    case 'process.exit':
      return `the backend called process.exit ${during}: ${incident.message}`;
  }
}
