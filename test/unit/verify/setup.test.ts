/** The Entra checklist and Exchange Online PowerShell generator. */
import * as assert from 'node:assert/strict';
import { psQuote, setupMarkdown, setupScript } from '../../../src/core/setup';

const CLIENT = '11111111-1111-4111-8111-111111111111';
const TENANT = '7e3a1c52-0000-4000-8000-00000000a001';

describe('setup script generator', () => {
  it('covers all three protocols with placeholders when nothing is known', () => {
    const s = setupScript({});
    for (const p of ['SMTP.SendAsApp', 'IMAP.AccessAsApp', 'POP.AccessAsApp']) {
      assert.match(s.checklist, new RegExp(p.replace('.', '\\.')));
    }
    assert.match(s.checklist, /Grant admin consent/);
    assert.match(s.checklist, /New client secret/);
    assert.match(s.powershell, /^Connect-ExchangeOnline$/m);
    assert.match(s.powershell, /\$AppId {4}= '<Application \(client\) ID>'/);
    assert.match(s.powershell, /\$ServicePrincipalObjectId = '<Enterprise application ObjectId>'/);
    assert.match(s.powershell, /\$Mailbox {2}= '<mailbox@yourdomain>'/);
    assert.match(
      s.powershell,
      /Set-CASMailbox -Identity \$Mailbox -SmtpClientAuthenticationDisabled \$false -ImapEnabled \$true -PopEnabled \$true/,
    );
  });

  it('explains why New-ServicePrincipal needs the Enterprise application ObjectId and how to get it', () => {
    const s = setupScript({ clientId: CLIENT, tenantId: TENANT, mailbox: 'shared@contoso.com' });
    assert.match(s.powershell, /New-ServicePrincipal -AppId \$AppId -ObjectId \$ServicePrincipalObjectId/);
    assert.match(
      s.powershell,
      /# ObjectId of the \*Enterprise application\* \(service principal\), NOT the Object ID shown under\n# App registrations/,
    );
    assert.match(s.powershell, new RegExp(`Get-MgServicePrincipal -Filter "appId eq '${CLIENT}'"`));
    assert.match(s.powershell, /Enterprise applications -> All applications/);
    assert.match(s.checklist, /\*\*not\*\* the Object ID shown under App registrations/);
    assert.match(
      s.powershell,
      /Add-MailboxPermission -Identity \$Mailbox -User \$ServicePrincipalObjectId -AccessRights FullAccess/,
    );
    assert.match(s.powershell, /\$AppId {4}= '11111111-1111-4111-8111-111111111111'/);
    assert.match(s.checklist, /Tenant: `7e3a1c52-0000-4000-8000-00000000a001`/);
  });

  it('picks protocols from findings', () => {
    const s = setupScript({
      findings: [{ protocol: 'imap', host: 'outlook.office365.com', hostKind: 'exchange-online' }],
    });
    assert.match(s.checklist, /IMAP\.AccessAsApp/);
    assert.doesNotMatch(s.checklist, /SMTP\.SendAsApp|POP\.AccessAsApp/);
    assert.match(s.powershell, /Set-CASMailbox -Identity \$Mailbox -ImapEnabled \$true$/m);
    assert.doesNotMatch(s.powershell, /SmtpClientAuthenticationDisabled \$false/);
    assert.doesNotMatch(s.powershell, /ManagementRoleAssignment/);
  });

  it('SMTP: SMTP AUTH per mailbox, the tenant Set-TransportConfig note, and the RBAC alternative commented out', () => {
    const s = setupScript({
      findings: [{ protocol: 'smtp', host: 'smtp.office365.com', hostKind: 'exchange-online' }],
    });
    assert.match(
      s.powershell,
      /^Set-CASMailbox -Identity \$Mailbox -SmtpClientAuthenticationDisabled \$false$/m,
    );
    assert.match(s.powershell, /^# {3}Set-TransportConfig -SmtpClientAuthenticationDisabled \$false$/m);
    assert.match(s.powershell, /^# New-ManagementScope /m);
    assert.match(
      s.powershell,
      /^# New-ManagementRoleAssignment -App \$ServicePrincipalObjectId -Role 'Application SMTP\.SendAsApp' -CustomResourceScope /m,
    );
    assert.match(s.powershell, /do NOT add SMTP\.SendAsApp in Entra/);
    assert.match(s.checklist, /SMTP\.SendAsApp/);
  });

  it('--rbac: active RBAC commands, no SMTP.SendAsApp Entra permission, no FullAccess for SMTP only', () => {
    const s = setupScript({
      findings: [{ protocol: 'smtp', host: 'smtp.office365.com', hostKind: 'exchange-online' }],
      rbac: true,
      mailbox: 'app@contoso.com',
    });
    assert.match(
      s.powershell,
      /^New-ManagementScope -Name 'Mail OAuth SMTP senders' -RecipientRestrictionFilter "PrimarySmtpAddress -eq '\$Mailbox'"$/m,
    );
    assert.match(
      s.powershell,
      /^New-ManagementRoleAssignment -App \$ServicePrincipalObjectId -Role 'Application SMTP\.SendAsApp' -CustomResourceScope 'Mail OAuth SMTP senders'$/m,
    );
    assert.match(s.powershell, /do NOT add SMTP\.SendAsApp in Entra/);
    assert.doesNotMatch(s.powershell, /^Add-MailboxPermission/m);
    assert.match(s.checklist, /\*\*Do not add `SMTP\.SendAsApp`\*\*/);
    assert.doesNotMatch(s.checklist, /Application permissions\* → `SMTP\.SendAsApp`/);
  });

  it('Send As grants per address (not the mailbox itself), quoted safely', () => {
    const s = setupScript({
      mailbox: 'shared@contoso.com',
      sendAs: ['shared@contoso.com', "o'brien@contoso.com", 'noreply@contoso.com'],
    });
    assert.match(
      s.powershell,
      /Add-RecipientPermission -Identity 'o''brien@contoso\.com' -Trustee \$ServicePrincipalObjectId -AccessRights SendAs -Confirm:\$false/,
    );
    assert.match(s.powershell, /Add-RecipientPermission -Identity 'noreply@contoso\.com'/);
    assert.doesNotMatch(s.powershell, /Add-RecipientPermission -Identity 'shared@contoso\.com'/);
    assert.equal(psQuote("a'b"), "'a''b'");
  });

  it('Outlook.com findings only: delegated checklist, no Exchange PowerShell', () => {
    const s = setupScript({
      findings: [{ protocol: 'smtp', host: 'smtp-mail.outlook.com', hostKind: 'outlook-consumer' }],
    });
    assert.match(s.checklist, /Allow public client flows = Yes/);
    assert.match(s.checklist, /`SMTP\.Send`/);
    assert.doesNotMatch(s.checklist, /Grant admin consent for your tenant/);
    assert.doesNotMatch(s.powershell, /New-ServicePrincipal/);
  });

  it('sovereign hosts connect to the matching Exchange environment', () => {
    const s = setupScript({
      findings: [{ protocol: 'imap', host: 'outlook.office365.us', hostKind: 'sovereign' }],
    });
    assert.match(s.powershell, /^Connect-ExchangeOnline -ExchangeEnvironmentName O365USGovGCCHigh/m);
  });

  it('setupMarkdown puts the script in a powershell block', () => {
    const md = setupMarkdown(setupScript({}));
    assert.match(md, /## Exchange Online PowerShell\n\n```powershell\n# Generated by Mail OAuth Migrator/);
    assert.match(md, /```\n$/);
  });
});
