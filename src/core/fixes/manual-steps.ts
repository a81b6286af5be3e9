/** The steps left to the user after a fix: the Entra app, permissions, consent, Exchange service principal. */
import type { Finding } from '../model';

export function manualSteps(protocols: Set<string>, fixed: Finding[]): string[] {
  const consumer = fixed.some((f) => f.hostKind === 'outlook-consumer');
  const appPerms = [...protocols].map((p) => ({ smtp: 'SMTP.SendAsApp', imap: 'IMAP.AccessAsApp', pop3: 'POP.AccessAsApp' })[p]).join(', ');
  const steps = [
    'Register an app in Microsoft Entra ID (App registrations → New registration); note the Application (client) ID and Directory (tenant) ID → MAIL_OAUTH_CLIENT_ID, MAIL_OAUTH_TENANT_ID.',
    'Create a client secret (or upload a certificate) → MAIL_OAUTH_CLIENT_SECRET (or MAIL_OAUTH_CERTIFICATE_PATH + MAIL_OAUTH_CERTIFICATE_THUMBPRINT) in the deployment environment, not in git.',
    `API permissions → Add a permission → APIs my organization uses → "Office 365 Exchange Online" → Application permissions: ${appPerms}; then "Grant admin consent".`,
    'In Exchange Online PowerShell, register the service principal with the Enterprise application\'s Object ID (not the App registration\'s): New-ServicePrincipal -AppId <client id> -ObjectId <enterprise app object id>; then Add-MailboxPermission -Identity <mailbox> -User <client id> -AccessRights FullAccess.',
    'Run `npm install` to add @azure/msal-node.',
  ];
  if (protocols.has('smtp')) {
    steps.push('SMTP: keep SMTP AUTH enabled for the mailbox (Set-CASMailbox <mailbox> -SmtpClientAuthenticationDisabled $false) — OAuth still goes through SMTP AUTH; grant SendAs (Add-RecipientPermission) if the From address differs from the mailbox.');
  }
  if (consumer) {
    steps.push('Outlook.com accounts: app-only tokens do not work; register the app for personal Microsoft accounts, enable "Allow public client flows", add delegated permissions (SMTP.Send / IMAP.AccessAsUser.All / POP.AccessAsUser.All, offline_access), and sign in once with the device code the app prints.');
  }
  return steps;
}
