/**
 * Meteor's email package sends through nodemailer to the MAIL_URL connection URL: an assignment to
 * `process.env.MAIL_URL` in code, or MAIL_URL in a dotenv file of a Meteor app (a `.meteor` folder).
 *
 * ❌ process.env.MAIL_URL = 'smtp://user%40contoso.com:secret@smtp.office365.com:587';
 * ❌ process.env.MAIL_URL = `smtps://${user}:${pass}@smtp.office365.com:465`;
 * ❌ .env (Meteor app): MAIL_URL=smtp://user:secret@smtp.office365.com:587
 * ✅ MAIL_URL without credentials (a relay), a non-Microsoft host
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from '../ts';
import type { EnvIndex } from '../env';
import { classifyHost, consequenceMessage, normalizeHost, severityFor } from '../hosts';
import type { Finding } from '../model';
import { isProcessEnv } from '../resolve';
import { MAIL_URL_ASSIGNMENT } from '../rule-meta';
import { nodemailerFacts, reportNodemailer } from './nodemailer';
import type { Detector, DetectorOptions } from './types';

const FRAMEWORK = 'Meteor MAIL_URL';
const FIX =
  "Meteor sends through nodemailer with the MAIL_URL credentials: drop the password from MAIL_URL and configure an OAuth2 transport instead (Accounts/Email: Email.customTransport or the mail-url package's `smtp` options with `auth: { type: 'OAuth2', user, accessToken }` from @azure/msal-node)";

/** `process.env.MAIL_URL` / `process.env['MAIL_URL']` as an assignment target. */
function isMailUrlTarget(n: ts.Expression): boolean {
  if (ts.isPropertyAccessExpression(n)) {
    return n.name.text === 'MAIL_URL' && isProcessEnv(n.expression);
  }
  return ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression) && n.argumentExpression.text === 'MAIL_URL' && isProcessEnv(n.expression);
}

export const meteorMailUrl: Detector = {
  id: 'meteor-mail-url',
  reportAs: 'nodemailer-password-auth',
  library: 'nodemailer',
  protocol: 'smtp',
  framework: FRAMEWORK,
  frameworkFix: FIX,
  packages: [],
  matches: () => false,
  detect: () => undefined,
  appliesTo: (sf) => sf.text.includes('MAIL_URL') && MAIL_URL_ASSIGNMENT.test(sf.text),
  detectFile(sf, ctx) {
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && isMailUrlTarget(n.left)) {
        const facts = nodemailerFacts(ctx, ctx.ev.evaluate(n.right));
        if (facts) {
          reportNodemailer(this, { node: n }, ctx, facts);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  },
};

/** True when `dir` or a folder above it (up to `root`) holds a Meteor app (`.meteor/release`). */
function inMeteorApp(dir: string, root: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.meteor', 'release'))) {
      return true;
    }
    if (d === root || path.dirname(d) === d || !d.startsWith(root)) {
      return false;
    }
  }
}

/** MAIL_URL password logins to Microsoft hosts in the dotenv files of Meteor apps under `root`. */
export function meteorEnvFindings(env: EnvIndex, root: string, options: DetectorOptions): Finding[] {
  const out: Finding[] = [];
  for (const hit of env.filesSetting('MAIL_URL')) {
    let url: URL;
    try {
      url = new URL(hit.value);
    } catch {
      continue;
    }
    const host = normalizeHost(url.hostname);
    const kind = classifyHost(host, options.extraHosts);
    if (!/^smtps?:$/.test(url.protocol) || !url.password || !kind || !inMeteorApp(path.dirname(hit.file), path.resolve(root))) {
      continue;
    }
    const span = { file: hit.file, start: hit.start, end: hit.end, line: hit.line, column: 1, endLine: hit.line, endColumn: hit.end - hit.start + 1 };
    out.push({
      code: 'nodemailer-password-auth',
      library: 'nodemailer',
      protocol: 'smtp',
      host,
      hostKind: kind,
      severity: severityFor('smtp', kind, options.now),
      message: consequenceMessage('smtp', kind, host, `nodemailer via ${FRAMEWORK}`),
      span,
      related: [{ ...span, role: 'password', message: `MAIL_URL carries a password for ${host} (value not shown)` }],
      fixable: false,
      fix: { moduleStyle: 'cjs', passwordEnvVars: ['MAIL_URL'], viaUrl: true, passwordSpan: span, manual: FIX, framework: FRAMEWORK },
    });
  }
  return out;
}
