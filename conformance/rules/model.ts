/** Area: the model-based property test. */
import fc from 'fast-check';
import { KEY_POOL, modelCommands, newModelWorld } from '../model/commands.js';
import { runProperty } from '../suite/property.js';
import type { Rule } from './rule.js';

export const modelRules: readonly Rule[] = [
  {
    id: 'MODEL-01',
    millisecondTtl: true,
    area: 'model',
    title: 'random command sequences agree with the reference model',
    spec: 'For any sequence of the 13 operations and clock moves on a small key pool, every answer of the backend, and its whole visible state after each step, equals what the reference model of this contract gives.',
    hint: 'the counterexample is the shortest failing script: replay it by hand against your backend; the [RULE-ID] in the message names the sentence it breaks.',
    async run(t) {
      const commands = modelCommands(
        t.time,
        { keys: !t.unsupported.has('keys'), ttl: !t.unsupported.has('ttl'), expire: !t.unsupported.has('expire') },
        t.options.replayPath,
      );
      await runProperty(
        t,
        'MODEL-01',
        commands,
        async (sequence) => {
          const storage = await t.storage();
          await fc.asyncModelRun(
            () => ({ model: newModelWorld(t.time), real: { storage, probeKeys: KEY_POOL } }),
            sequence,
          );
        },
        // One call per line: the shrunk sequence reads as a script to replay by hand.
        {
          render: (sequence) =>
            [...sequence]
              .filter((command) => (command as { hasRan?: boolean }).hasRan !== false)
              .map((command) => `${command};`)
              .join('\n'),
        },
      );
    },
  },
];
