/** setup for code rewritten to Microsoft Graph sendMail: Application Mail.Send scoped with RBAC for Applications. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setupScript } from '../../src/core/setup';
import { setupCommand } from '../../src/core/setup/cli';

describe('setup --graph', () => {
  const s = setupScript({
    findings: [{ protocol: 'smtp', host: 'smtp.office365.com', hostKind: 'exchange-online' }],
    tenantId: '7e3a1c52-0000-4000-8000-00000000a001',
    clientId: '11111111-1111-4111-8111-111111111111',
    mailbox: "o'brien@contoso.com",
    graph: true,
  });

  it('scopes Application Mail.Send to the mailbox and checks it', () => {
    assert.match(s.powershell, /New-ManagementScope -Name 'Mail OAuth Graph senders' -RecipientRestrictionFilter "PrimarySmtpAddress -eq 'o''brien@contoso\.com'"/);
    assert.match(s.powershell, /New-ManagementRoleAssignment -App \$ServicePrincipalObjectId -Role 'Application Mail\.Send' -CustomResourceScope 'Mail OAuth Graph senders'/);
    assert.match(s.powershell, /^Test-ServicePrincipalAuthorization -Identity \$ServicePrincipalObjectId -Resource \$Mailbox$/m);
    assert.match(s.checklist, /Do \*\*not\*\* also add the Microsoft Graph application permission Mail\.Send/);
    assert.match(s.checklist, /verify --protocol graph/);
  });

  it('never signs in with Connect-ExchangeOnline -Credential (removed July 2026)', () => {
    for (const graph of [true, false]) {
      for (const rbac of [true, false]) {
        const script = setupScript({ findings: [{ protocol: 'smtp', host: 'smtp.office365.us', hostKind: 'sovereign' }], graph, rbac });
        assert.doesNotMatch(script.powershell, /Connect-ExchangeOnline[^\n]*-Credential/);
      }
    }
  });

  it('without --graph the script has no Graph section', () => {
    assert.doesNotMatch(setupScript({ protocols: ['smtp'] }).powershell, /Application Mail\.Send/);
  });
});

describe('setup of a scan with EWS code', () => {
  it('adds the Microsoft Graph setup by itself: the fix moves EWS sends to Graph', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-oauth-setup-ews-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'ews.js'),
        "const { ExchangeService, WebCredentials, Uri } = require('ews-javascript-api');\nconst s = new ExchangeService();\ns.Credentials = new WebCredentials('a@contoso.com', process.env.P);\ns.Url = new Uri('https://outlook.office365.com/EWS/Exchange.asmx');\n",
      );
      let out = '';
      const code = await setupCommand([dir], { cwd: dir, env: {}, stdout: (s) => (out += s), stderr: () => undefined });
      assert.equal(code, 0);
      assert.match(out, /-Role 'Application Mail\.Send'/);
      // only EWS was found: no IMAP/POP/SMTP permissions or mailbox grants, the app and its service principal only
      assert.match(out, /Microsoft Graph sendMail only \(no SMTP, IMAP or POP login found\)/);
      assert.match(out, /New-ServicePrincipal -AppId \$AppId -ObjectId \$ServicePrincipalObjectId/);
      assert.doesNotMatch(out, /SMTP\.SendAsApp|IMAP\.AccessAsApp|Add-MailboxPermission|Set-CASMailbox/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
