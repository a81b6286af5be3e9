/**
 * msal-password-grant: MSAL's username/password grant for a mail token is a password login (positives), a grant
 * for another API or a same-named method of another object is not (negatives); the fix asks the generated
 * provider for the token instead.
 */
import * as assert from 'node:assert/strict';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fixes';
import { resultTexts } from '../../../src/core/fixes/apply';
import { mailScope } from '../../../src/core/detectors/msal-password-grant';

const ROOT = '/virtual/msal-grant';

function scan(code: string, file = 'token.js') {
  const analyzer = new Analyzer(ROOT, { now: () => new Date('2026-11-22T12:00:00Z') });
  analyzer.setSource(`${ROOT}/${file}`, code);
  return analyzer.analyzeFile(`${ROOT}/${file}`);
}

/** A package with `token.js` holding `code` (package.json as given), and the plan for its findings. */
function project(code: string, pkg = '{ "name": "x", "version": "1.0.0" }\n') {
  const files = new Map([
    [`${ROOT}/package.json`, pkg],
    [`${ROOT}/token.js`, code],
  ]);
  const read = (f: string): string | undefined => files.get(f);
  const plan = planFixes(scan(code), { readFile: read });
  return { files, read, plan, out: resultTexts(plan.edits, read) };
}

const grant = (scopes: string, head = "const { PublicClientApplication } = require('@azure/msal-node');\nconst pca = new PublicClientApplication({ auth: { clientId: 'x' } });") => `${head}
async function token() {
  const result = await pca.acquireTokenByUsernamePassword({
    scopes: ${scopes},
    username: process.env.MAIL_USER,
    password: process.env.MAIL_PASSWORD,
  });
  return result.accessToken;
}
module.exports = { token };
`;

describe('msal-password-grant', () => {
  it('classifies mail scopes (Exchange Online protocols, Graph Mail.*) and nothing else', () => {
    assert.deepEqual(mailScope('https://outlook.office365.com/IMAP.AccessAsUser.All'), { protocol: 'imap', token: 'imap', host: 'outlook.office365.com' });
    assert.deepEqual(mailScope('https://outlook.office.com/SMTP.Send'), { protocol: 'smtp', token: 'smtp', host: 'outlook.office.com' });
    assert.equal(mailScope('https://outlook.office365.com/POP.AccessAsUser.All')?.token, 'pop3');
    assert.deepEqual(mailScope('Mail.Send'), { protocol: 'smtp', token: 'graph', host: 'graph.microsoft.com' });
    assert.equal(mailScope('https://graph.microsoft.us/Mail.ReadWrite')?.host, 'graph.microsoft.us');
    for (const other of ['User.Read', 'https://graph.microsoft.com/User.Read', 'https://graph.microsoft.com/.default', 'api://my-api/access', 'openid']) {
      assert.equal(mailScope(other), undefined, other);
    }
  });

  for (const [label, scopes] of [
    ['IMAP (CommonJS)', "['https://outlook.office365.com/IMAP.AccessAsUser.All', 'offline_access']"],
    ['Graph Mail.Send', "['Mail.Send']"],
    ['a scope from a constant', 'SCOPES'],
  ] as const) {
    it(`reports the grant with a mail scope: ${label}`, () => {
      const code = grant(scopes).replace('async function', "const SCOPES = ['https://outlook.office365.com/SMTP.Send'];\nasync function");
      const [f, ...rest] = scan(code);
      assert.equal(rest.length, 0);
      assert.equal(f.code, 'msal-password-grant');
      assert.equal(f.severity, 'error');
      assert.match(f.message, /username\/password grant .* with a password: deprecated in every MSAL, it fails for users with MFA/);
      assert.ok(f.fixable);
      assert.equal(f.related[0].role, 'password');
      assert.doesNotMatch(JSON.stringify(f), /MAIL_PASSWORD_VALUE/);
    });
  }

  it('ES module with a named import', () => {
    const [f] = scan(grant("['https://outlook.office365.com/POP.AccessAsUser.All']", "import { PublicClientApplication } from '@azure/msal-node';\nconst pca = new PublicClientApplication({ auth: { clientId: 'x' } });").replace('module.exports = { token };', 'export { token };'), 'token.mjs');
    assert.equal(f?.protocol, 'pop3');
  });

  it('is not reported for a non-mail scope, an unresolvable scope, or another object with the same method', () => {
    assert.deepEqual(scan(grant("['User.Read']")), []);
    assert.deepEqual(scan(grant('process.env.SCOPES.split(" ")')), []);
    const other = grant("['https://outlook.office365.com/IMAP.AccessAsUser.All']", "const pca = { acquireTokenByUsernamePassword: async () => ({ accessToken: '' }) };");
    assert.deepEqual(scan(other), []);
  });

  it('fix: the provider gives the token (client credentials); the password leaves the code', () => {
    const { plan, out } = project(grant("['https://outlook.office365.com/IMAP.AccessAsUser.All']"));
    assert.deepEqual(plan.notFixed, []);
    const after = out.get(`${ROOT}/token.js`)!.after;
    assert.match(after, /const result = await getMailAccessToken\('imap'\);/);
    assert.match(after, /^const \{ getMailAccessToken \} = require\('\.\/mail-oauth-token\.js'\);$/m);
    assert.doesNotMatch(after, /MAIL_PASSWORD|acquireTokenByUsernamePassword/);
    assert.match(out.get(`${ROOT}/mail-oauth-token.js`)!.after, /async function getMailAccessToken\(/);
    assert.deepEqual(plan.unusedEnvVars, ['MAIL_PASSWORD']);
  });
});

describe('msal-password-grant fix next to an existing provider', () => {
  it('a package that already has the generated module: only the call changes, and a second plan is empty', () => {
    const { files, read, out } = project(grant("['https://outlook.office365.com/SMTP.Send']"), '{ "name": "x", "version": "1.0.0", "dependencies": { "@azure/msal-node": "^7.2.1" } }\n');
    for (const [file, { after }] of out) {
      files.set(file, after);
    }
    const again = planFixes(scan(files.get(`${ROOT}/token.js`)!), { readFile: read });
    assert.deepEqual(again.edits, []);
    const other = `${grant("['https://outlook.office365.com/IMAP.AccessAsUser.All']")}`;
    files.set(`${ROOT}/token.js`, other);
    const second = planFixes(scan(other), { readFile: read });
    assert.deepEqual(second.edits.map((e) => e.file.slice(ROOT.length)), ['/token.js']);
  });
});

describe('msal-password-grant fix for a Graph mail scope', () => {
  it("asks the provider for a Graph token and names the Graph permission in the steps", () => {
    const { plan, out } = project(grant("['https://graph.microsoft.com/Mail.Send']"));
    assert.match(out.get(`${ROOT}/token.js`)!.after, /await getMailAccessToken\('graph'\)/);
    assert.ok(plan.manualSteps.some((s) => /Graph application permission the code needs/.test(s)));
    assert.ok(!plan.manualSteps.some((s) => /"Office 365 Exchange Online" → Application permissions: ;/.test(s)));
  });
});
