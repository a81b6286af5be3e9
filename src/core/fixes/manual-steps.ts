/** The steps left to the user after a fix: the Entra app, permissions, consent, Exchange service principal. */
import type { Finding } from '../model';

export function manualSteps(protocols: Set<string>, fixed: Finding[]): string[] {
  const consumer = fixed.some((f) => f.hostKind === 'outlook-consumer');
  const appPerms = [...protocols].map((p) => ({ smtp: 'SMTP.SendAsApp', imap: 'IMAP.AccessAsApp', pop3: 'POP.AccessAsApp' })[p]).join(', ');
  const graphTokens = fixed.some((f) => f.fix.tokenProtocol === 'graph');
  const steps = [
    'Register an app in Microsoft Entra ID (App registrations → New registration); note the Application (client) ID and Directory (tenant) ID → MAIL_OAUTH_CLIENT_ID, MAIL_OAUTH_TENANT_ID.',
    'Create a client secret (or upload a certificate) → MAIL_OAUTH_CLIENT_SECRET (or MAIL_OAUTH_CERTIFICATE_PATH + MAIL_OAUTH_CERTIFICATE_THUMBPRINT) in the deployment environment, not in git.',
    ...(appPerms
      ? [`API permissions → Add a permission → APIs my organization uses → "Office 365 Exchange Online" → Application permissions: ${appPerms}; then "Grant admin consent".`]
      : []),
    ...(graphTokens
      ? ['Microsoft Graph mail tokens (getMailAccessToken(\'graph\')): give the app the Graph application permission the code needs (Mail.Send, Mail.Read, …), scoped to its mailboxes with RBAC for Applications (New-ManagementScope, New-ManagementRoleAssignment -Role "Application Mail.Send" …) rather than granted tenant-wide in Entra.']
      : []),
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

/** The steps left after a rewrite to Microsoft Graph sendMail: Mail.Send, scoped to the sending mailboxes. */
export function graphManualSteps(fixed: Finding[]): string[] {
  const consumer = fixed.some((f) => f.hostKind === 'outlook-consumer');
  const steps = [
    'Register an app in Microsoft Entra ID (App registrations → New registration); note the Application (client) ID and Directory (tenant) ID → MAIL_OAUTH_CLIENT_ID, MAIL_OAUTH_TENANT_ID.',
    'Create a client secret (or upload a certificate) → MAIL_OAUTH_CLIENT_SECRET (or MAIL_OAUTH_CERTIFICATE_PATH + MAIL_OAUTH_CERTIFICATE_THUMBPRINT) in the deployment environment, not in git.',
    'Give the app Mail.Send for the sending mailboxes only, with RBAC for Applications in Exchange Online PowerShell (Connect-ExchangeOnline interactively, with a certificate or a managed identity): New-ServicePrincipal -AppId <client id> -ObjectId <enterprise app object id>; New-ManagementScope -Name "<app> senders" -RecipientRestrictionFilter "PrimarySmtpAddress -eq \'<mailbox>\'"; New-ManagementRoleAssignment -App <client id> -Role "Application Mail.Send" -CustomResourceScope "<app> senders"; check with Test-ServicePrincipalAuthorization -Identity <client id> -Resource <mailbox>. Do not also grant Microsoft Graph Mail.Send in Entra: that grant reaches every mailbox.',
    'The mailbox that sends is the transport\'s user (the old SMTP login); a different From address needs Send As on it (Add-RecipientPermission). SMTP AUTH can then be turned off for the mailbox.',
    'Messages over about 3 MB (Graph takes 4 MB per request) go as a draft with an upload session, which also needs Mail.ReadWrite: New-ManagementRoleAssignment -App <client id> -Role "Application Mail.ReadWrite" -CustomResourceScope "<app> senders" (skip it if your messages stay under 3 MB: they are then refused with an error naming the permission).',
    'Run `npm install` to add @azure/msal-node.',
  ];
  if (consumer) {
    steps.push('Outlook.com accounts: register the app for personal Microsoft accounts, enable "Allow public client flows", add the delegated Microsoft Graph permission Mail.Send (and offline_access), and sign in once with the device code the app prints.');
  }
  return steps;
}
