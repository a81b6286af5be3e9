/**
 * The fix planners know library calls only. Findings made on framework configs (NextAuth, NestJS mailer,
 * Strapi, ...: `fix.framework`) and the info rule on unknown `service` names have no automatic fix yet:
 * they go to `notFixed` with the finding's own guidance, the rest to the planner.
 */
import { planFixes as planLibraryFixes, type FixContext, type FixPlan } from './fixes';
import type { Finding } from './model';

/** Whether a planner may try to rewrite this finding. */
export function hasFixPlanner(f: Finding): boolean {
  return !f.fix.framework && f.code !== 'nodemailer-unknown-service';
}

export function planFixes(findings: readonly Finding[], ctx: FixContext): FixPlan {
  const manual = findings.filter((f) => !hasFixPlanner(f));
  const plan = planLibraryFixes(manual.length ? findings.filter(hasFixPlanner) : findings, ctx);
  plan.notFixed.push(...manual.map((finding) => ({ finding, reason: finding.fix.manual ?? 'no automatic fix yet' })));
  return plan;
}
