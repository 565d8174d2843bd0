/**
 * Four bugs, for docs/reading-a-report.md: the defect set's MultiBugStorage (get answers
 * undefined, expire adds to the deadline, mset drops its TTL, keys ignores case).
 */
import type { FactoryContext } from 'sa-storage-kit/conformance';
import { MultiBugStorage } from '../../../conformance/defects/multi-bug.js';

export default (ctx: FactoryContext) => new MultiBugStorage(ctx);
