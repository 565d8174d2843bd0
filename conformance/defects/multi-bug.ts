/**
 * A backend with four independent bugs, one per method, each one of the defect set's: the
 * diagnosis must read it as four findings, one per bug (test/defects.test.ts).
 */

import { MemoryStorage } from '../../implementations/memory/index.js';
import { assertWellFormedString, compilePattern, type Entry, type Ttl } from '../contract/index.js';
import type { FactoryContext } from '../suite/types.js';

export class MultiBugStorage extends MemoryStorage {
  constructor(ctx: Pick<FactoryContext, 'clock'>) {
    super({ clock: ctx.clock });
  }

  /** get-missing-returns-undefined */
  override async get(key: string): Promise<string | null> {
    const value = await super.get(key);
    return value === null ? (undefined as unknown as null) : value;
  }

  /** expire-adds-to-deadline */
  override async expire(key: string, ttl: number): Promise<void> {
    const remaining = await this.ttl(key);
    return super.expire(key, remaining === null || typeof ttl !== 'number' ? ttl : remaining + ttl);
  }

  /** mset-ignores-ttl */
  override async mset(items: readonly Entry[], _ttl?: Ttl): Promise<void> {
    return super.mset(items);
  }

  /** keys-case-insensitive */
  override async keys(pattern: string): Promise<string[]> {
    assertWellFormedString(pattern, 'pattern');
    const matches = compilePattern(pattern.toLowerCase());
    return (await super.keys('*')).filter((key) => matches(key.toLowerCase()));
  }
}
