/**
 * One file that cannot be analysed (nested deeper than the stack allows, or anything that makes the
 * parser, the binder, the checker or the evaluator throw) is skipped with a reason; the rest go on.
 */
import type { Finding } from './model';

/** The reason given for a file that overflows the stack anywhere in the analysis. */
export const TOO_DEEP = 'too deeply nested to analyse';

/** V8's `RangeError: Maximum call stack size exceeded` (the only RangeError that says "call stack"). */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof Error && e.name === 'RangeError' && /call stack/i.test(e.message);
}

/** Why a file was skipped after `e` was thrown while analysing it. */
export function skipReason(e: unknown): string {
  if (e instanceof AnalysisSkipped) {
    return e.message;
  }
  if (isStackOverflow(e)) {
    return TOO_DEEP;
  }
  const message = e instanceof Error ? e.message : String(e);
  return `analysis failed: ${message.split('\n')[0].slice(0, 200)}`;
}

/**
 * Thrown by Analyzer.analyzeText for a file it could not analyse; the message is the reason. The name
 * crosses the worker boundary (the editor shows the reason as an information message on the file).
 */
export class AnalysisSkipped extends Error {
  override name = 'AnalysisSkipped';
}

/** What a fix planner returns, as far as isolation needs to know. */
interface PlanLike {
  notFixed: { finding: Finding; reason: string }[];
}

/**
 * Runs a fix planner so that one file it cannot handle does not take the others down: when planning
 * every finding at once throws, each file's findings are planned alone to find the files that throw,
 * and the others are planned together again (a plan may span files: one shared provider module);
 * the findings of the failing files are listed as not fixed, with the reason.
 */
export function planIsolated<C, P extends PlanLike>(
  plan: (findings: readonly Finding[], ctx: C) => P,
  findings: readonly Finding[],
  ctx: C,
): P {
  let first: unknown;
  try {
    return plan(findings, ctx);
  } catch (e) {
    first = e;
  }
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    byFile.set(f.span.file, [...(byFile.get(f.span.file) ?? []), f]);
  }
  const good: Finding[] = [];
  const bad: { finding: Finding; reason: string }[] = [];
  for (const group of byFile.values()) {
    try {
      plan(group, ctx);
      good.push(...group);
    } catch (e) {
      const reason = `could not plan a fix: ${skipReason(e)}`;
      bad.push(...group.map((finding) => ({ finding, reason })));
    }
  }
  if (!bad.length) {
    // Every file plans alone but not together: nothing to single out.
    throw first;
  }
  const out = plan(good, ctx);
  out.notFixed.push(...bad);
  return out;
}
