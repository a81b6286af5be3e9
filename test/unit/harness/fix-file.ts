/** One file (and a package.json) scanned and planned in memory: the findings, the plan and the texts after it. */
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fixes';
import { resultTexts } from '../../../src/core/fixes/apply';

export function planFile(root: string, file: string, code: string, to: 'graph' | 'xoauth2') {
  const files = new Map([
    [`${root}/package.json`, '{ "name": "x", "version": "1.0.0" }\n'],
    [`${root}/${file}`, code],
  ]);
  const analyzer = new Analyzer(root, { now: () => new Date('2026-11-22T12:00:00Z') });
  analyzer.setSource(`${root}/${file}`, code);
  const findings = analyzer.analyzeFile(`${root}/${file}`);
  const plan = planFixes(findings, { readFile: (f) => files.get(f), to });
  const out = resultTexts(plan.edits, (f) => files.get(f));
  return { findings, plan, after: (f: string) => out.get(`${root}/${f}`)?.after };
}
