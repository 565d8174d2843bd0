/**
 * SPEC.md, generated from the rule registry: an introduction, then one section per area and
 * one heading per rule with a stable anchor (the lower-case rule id). Pure and deterministic:
 * the same registry always gives the same bytes, so `spec --check` can tell when SPEC.md is stale.
 */
import { SA_STORAGE_METHODS } from '../../conformance/contract/index.js';
import type { Capability, RuleInfo } from '../../conformance/index.js';
import { AREA_ORDER, AREA_TITLES } from './areas.js';
import { specAnchor } from './report-summary.js';

const CAPABILITY_TEXT: Readonly<Record<Capability, string>> = {
  keys: '`keys(pattern)` lists keys (the trait’s default implementation returns `[]`)',
  namespaces: 'storages made for different namespaces are isolated from one another',
  'large-values': 'values of 1 MiB and keys of 8 KiB',
  'atomic-counters': '`incr`/`decr` stay exact under concurrent calls and single-key histories are linearizable',
  'atomic-mset': 'an `mset` is all-or-nothing to concurrent readers, through the same client or another one',
  ttl: '`ttl(key)` reads a key’s remaining time (rules that only use it in passing check the rest)',
  expire: '`expire(key, ttl)` changes a key’s deadline',
};

/**
 * Escapes Markdown syntax outside `code spans`, so rule texts render as written: `*`, `_`,
 * `[`, `]` and `\` stay literal and `<escaped prefix>` does not turn into an HTML tag.
 */
export function escapeMarkdown(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) =>
      index % 2 === 1
        ? part
        : part
            .replace(/\\/g, '\\\\')
            .replace(/([*_[\]])/g, '\\$1')
            .replace(/</g, '&lt;')
            .replace(/>/g, '&gt;'),
    )
    .join('');
}

function ruleSection(rule: RuleInfo): string[] {
  const lines = [
    `<a id="${specAnchor(rule.id)}"></a>`,
    '',
    `### ${rule.id} — ${escapeMarkdown(rule.title)}`,
    '',
    escapeMarkdown(rule.spec),
    '',
    `**If this fails:** ${escapeMarkdown(rule.hint)}`,
    '',
  ];
  if (rule.requires && rule.requires.length > 0) {
    const names = rule.requires.map((capability) => `\`${capability}\``).join(', ');
    lines.push(
      `**Requires:** ${names} — skipped when the backend declares ${rule.requires.length > 1 ? 'one of them' : 'it'} unsupported.`,
      '',
    );
  }
  return lines;
}

export function generateSpecDocument(rules: readonly RuleInfo[]): string {
  const areas = AREA_ORDER.map((area) => ({ area, rules: rules.filter((rule) => rule.area === area) })).filter(
    (group) => group.rules.length > 0,
  );
  const methods = SA_STORAGE_METHODS.map((method) => `\`${method}\``).join(', ');
  const contractCount = rules.filter((rule) => rule.area !== 'stub').length;
  const lines = [
    '# The SaStorage contract',
    '',
    '<!-- Generated from the rule registry (conformance/rules) by `npm run spec`. Do not edit by hand:',
    '     `npm run spec:check` fails when this file and the registry disagree. -->',
    '',
    `\`SaStorage\` is the asynchronous key-value contract that sa-token keeps its sessions and tokens in: ${SA_STORAGE_METHODS.length} methods (${methods}), each returning a Promise, with durations in milliseconds and every failure a rejected \`StorageError\`.`,
    '',
    `This document states the contract as ${contractCount} numbered rules, plus the rules an unimplemented backend (a stub) is held to instead. The conformance kit checks every rule against a backend and reports each deviation by rule ID, with the rule’s sentence, a hint and a replayable counterexample:`,
    '',
    '```sh',
    'npx sa-storage-kit check ./my-storage.mjs      # a module whose default export is (ctx) => storage',
    'npx sa-storage-kit check --backend memory      # a reference backend',
    '```',
    '',
    '## Citing a rule',
    '',
    'Every rule has a stable ID such as `TTL-01`, never renumbered, and an anchor equal to its lower-case ID: cite `SPEC.md#ttl-01` in issues, reviews and code comments. Reports, JUnit output and test names use the same IDs, and `--only TTL-01` (or an area prefix such as `--only TTL`) runs just those rules.',
    '',
    '## Capabilities',
    '',
    'A backend may declare that it lacks a capability; the rules that need it are then skipped, and the report names each skipped rule with the reason given.',
    '',
    ...(Object.entries(CAPABILITY_TEXT) as [Capability, string][]).map(
      ([capability, text]) => `- \`${capability}\`: ${text}.`,
    ),
    '',
    '## Contents',
    '',
    ...areas.map(({ area, rules: inArea }) => {
      const first = inArea[0]?.id;
      const last = inArea.at(-1)?.id;
      const range = inArea.length === 1 ? `${first}` : `${first} … ${last}`;
      return `- [${AREA_TITLES[area]}](#${area}) — ${inArea.length} rule${inArea.length === 1 ? '' : 's'}, ${range}`;
    }),
    '',
  ];
  for (const { area, rules: inArea } of areas) {
    lines.push(`<a id="${area}"></a>`, '', `## ${AREA_TITLES[area]}`, '');
    if (area === 'stub') {
      lines.push(
        'These rules replace the contract for a backend that is deliberately not implemented yet (such as the `DatabaseStorage` stub); check them with `--expect unimplemented`.',
        '',
      );
    }
    for (const rule of inArea) lines.push(...ruleSection(rule));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
