/**
 * Findings the fix planners do not take: framework configs without an automatic fix (Meteor's MAIL_URL:
 * `fix.framework` and not fixable) and the info rule on unknown `service` names go to `notFixed` with the
 * finding's own guidance; the rest (library calls, NextAuth, NestJS, Strapi, Payload and email-templates configs,
 * which hold nodemailer options, and nodejs-nodemailer-outlook's sendEmail call, which is replaced) to the planner.
 */
import { planFixes as planLibraryFixes, type FixContext, type FixPlan } from './fixes';
import type { Finding } from './model';

/** Whether a planner may try to rewrite this finding. */
export function hasFixPlanner(f: Finding): boolean {
  return f.code !== 'nodemailer-unknown-service' && (!f.fix.framework || f.fixable);
}

export function planFixes(findings: readonly Finding[], ctx: FixContext): FixPlan {
  const manual = findings.filter((f) => !hasFixPlanner(f));
  const plan = planLibraryFixes(manual.length ? findings.filter(hasFixPlanner) : findings, ctx);
  plan.notFixed.push(...manual.map((finding) => ({ finding, reason: finding.fix.manual ?? 'no automatic fix yet' })));
  return plan;
}
