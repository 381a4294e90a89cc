import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { sqlInSignatures } from './signatures.ts';

const server = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('fixtures/architecture/', import.meta.url));
const depcruise = fileURLToPath(new URL('../../node_modules/.bin/depcruise', import.meta.url));

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** Runs the project's dependency rules (server/.dependency-cruiser.cjs) over `src` of a directory. */
function violations(cwd: string): Violation[] {
  const result = spawnSync(depcruise, ['src', '--config', `${server}.dependency-cruiser.cjs`, '--output-type', 'json'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.ok(result.stdout, result.stderr);
  return (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('module anatomy', () => {
  it('holds in the server: no dependency rule is broken', () => {
    const found = violations(server).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    assert.deepEqual(found, []);
  });

  it('catches each rule being broken (test/fixtures/architecture)', () => {
    const byRule = new Map<string, string[]>();
    for (const v of violations(fixture)) byRule.set(v.rule.name, [...(byRule.get(v.rule.name) ?? []), `${v.from} → ${v.to}`]);
    const expected = [
      'no-foreign-schema',
      'no-foreign-core-schema',
      'thin-routes',
      'manifest-only-index',
      'no-http-in-services',
      'no-core-into-console',
      'no-core-into-modules',
      'no-cycles',
    ];
    for (const rule of expected) assert.ok(byRule.has(rule), `${rule} was not reported: ${JSON.stringify([...byRule])}`);
    assert.deepEqual(byRule.get('no-foreign-schema'), ['src/modules/beta/service.ts → src/modules/alpha/schema.ts'], 'its own schema is allowed');
  });

  it('keeps drizzle SQL out of exported service signatures', () => {
    assert.deepEqual(sqlInSignatures(`${server}src`), []);
    assert.deepEqual(sqlInSignatures(`${fixture}src`), [
      'modules/beta/leaky.ts: activeIds(): return',
      'modules/beta/leaky.ts: ListOptions',
      'modules/beta/leaky.ts: listWithin(options)',
      'modules/beta/leaky.ts: listAmong(scope)',
    ]);
  });
});

describe('lint and format', () => {
  it('fails a file that breaks ESLint or Prettier (test/fixtures/lint)', async () => {
    const eslint = new ESLint({ cwd: root, ignore: false });
    const [report] = await eslint.lintFiles([`${server}test/fixtures/lint/bad.ts`]);
    const rules = report!.messages.map((m) => m.ruleId);
    assert.ok(rules.includes('@typescript-eslint/no-unused-vars'), JSON.stringify(report!.messages));
    assert.ok(rules.includes('no-restricted-syntax'), 'a relative import without its .ts extension');
    const source = await import('node:fs').then((fs) => fs.readFileSync(`${server}test/fixtures/lint/bad.ts`, 'utf8'));
    const options = await prettier.resolveConfig(`${server}test/architecture.test.ts`);
    assert.equal(options?.printWidth, 160);
    assert.equal(await prettier.check(source, { ...options, filepath: 'bad.ts' }), false);
  });
});
