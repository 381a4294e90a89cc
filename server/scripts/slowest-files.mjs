// A node:test reporter that prints, after the run, the ten test files that took longest (the sum of
// their top-level tests and suites, hooks included): the ones to look at before adding more.
import { relative } from 'node:path';

export default async function* slowestFiles(source) {
  const perFile = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const file = relative(process.cwd(), event.data.file);
      perFile.set(file, (perFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  const slowest = [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (slowest.length === 0) return;
  yield `\nSlowest test files:\n${slowest.map(([file, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`).join('\n')}\n`;
}
