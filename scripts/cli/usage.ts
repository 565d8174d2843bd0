/** The --help texts. */

const CHECK_USAGE = `sa-storage-kit check [<module> | --backend memory|redis|database | --exec COMMAND] [options]

Runs the SaStorage conformance suite against a backend and prints a report.

  <module>               a .js/.mjs/.cjs (or .ts/.mts/.cts, needs tsx) file whose default export,
                         or export named factory / createStorage, is a storage factory:
                           export default (ctx) => new MyStorage({ clock: ctx.clock, prefix: ctx.namespace })
                         It may also export \`unsupported\`, e.g. { keys: 'why' }, to skip rules it cannot meet.
  --backend NAME         a reference backend instead: memory (the default when nothing is given),
                         redis (REDIS_URL, or a throwaway local redis-server; real clock) or
                         database (the unimplemented stub)
  --exec COMMAND         a backend program in any language speaking the process protocol
                         (docs/protocol.md) on stdin/stdout, run through the shell, e.g.
                           --exec "python3 examples/python/backend.py"
  --export NAME          take the factory from this export of <module>
  --clock virtual|real   virtual (default): the backend reads ctx.clock and the suite moves time;
                         real: the backend keeps its own time and the suite waits
  --seed N               seed for every random choice (printed in the report, to replay a run)
  --path P               fast-check replay path of one failure (use with --seed and --only)
  --replay-path R        command replay path of a model-based failure (MODEL-01; with --path)
  --runs N               runs per property rule (default 100 virtual, 25 real)
  --only IDS             only rules whose id equals or starts with one of IDS (repeatable or
                         comma-separated: --only TTL --only CTR-03,PAT-01)
  --expect conformant|unimplemented
                         unimplemented: check a stub (every method rejects with InternalError)
  --call-timeout MS      a single storage call slower than this fails (default 5000)
  --time-budget MS       each rule's own time budget (default 60000); a rule that runs
                         out of it is reported partial with what it checked, never failed
  --json FILE            also write the report as JSON
  --junit FILE           also write the report as JUnit XML (for CI test tabs)
  --markdown FILE        also write the report as Markdown (for PR comments, job summaries)
  --verbose              full failure texts and stack traces of CLI errors

Exit codes: 0 conformant · 1 not conformant · 2 usage error or the module could not be loaded ·
3 partial (no rule failed, but some ran out of the time budget).`;

const SPEC_USAGE = `sa-storage-kit spec [--out FILE | --check FILE]

Prints the SaStorage spec as Markdown, generated from the rule registry: one section per area,
one anchor per rule (SPEC.md#ttl-01).

  --out FILE     write it to FILE instead of stdout
  --check FILE   exit 1 when FILE differs from the generated document (stale SPEC.md)`;

export function usage(topic?: 'check' | 'spec'): string {
  if (topic === 'check') return CHECK_USAGE;
  if (topic === 'spec') return SPEC_USAGE;
  return `Usage: sa-storage-kit <command> [options]

Commands:
  check [<module>]   check a SaStorage backend against the contract (see: sa-storage-kit check --help)
  spec               print the contract's rules as Markdown (see: sa-storage-kit spec --help)
  serve              speak the process protocol on stdin/stdout for a reference backend
  vectors            write the suite's checks as JSON test vectors for runners in other languages

Options:
  --help             this text
  --version          the kit's version

Examples:
  sa-storage-kit check ./my-storage.mjs
  sa-storage-kit check ./my-storage.ts --export createRedisStorage --clock real --junit reports/sa.xml
  sa-storage-kit check --backend memory
  sa-storage-kit check --exec "python3 examples/python/backend.py"
  sa-storage-kit check ./my-storage.mjs --only PAT-07 --seed 1234 --path 6:1:2
  sa-storage-kit spec --out SPEC.md`;
}
