/**
 * The Entra checklist and the Exchange Online PowerShell that app-only (client credentials) access
 * to IMAP / POP / SMTP needs, generated for the protocols a scan found.
 * Facts: docs/domain-facts.md section 2 (permissions, New-ServicePrincipal, App RBAC for SMTP).
 * Unknown values are written as <placeholders>.
 */
import type { HostKind, Protocol } from '../model';

export interface SetupFinding {
  protocol: Protocol;
  host: string | undefined;
  hostKind: HostKind | undefined;
}

export interface SetupInput {
  /** Findings of a scan; they pick the protocols (all three when absent or empty). */
  findings?: SetupFinding[];
  /** Protocols to cover in addition to those of the findings. */
  protocols?: Protocol[];
  tenantId?: string;
  clientId?: string;
  /** The mailbox the app logs in to. */
  mailbox?: string;
  /** Addresses the app sends as (From), other than the mailbox itself. */
  sendAs?: string[];
  /** SMTP: grant the permission with Exchange RBAC for Applications instead of the SMTP.SendAsApp Entra permission. */
  rbac?: boolean;
  /** The code sends through Microsoft Graph sendMail (`fix --to graph`): add the Graph permission and its scoping. */
  graph?: boolean;
}

export interface SetupScript {
  /** Markdown checklist (Entra admin center and Exchange steps). */
  checklist: string;
  /** Exchange Online PowerShell script. */
  powershell: string;
}

const APP_PERMISSION: Record<Protocol, string> = {
  smtp: 'SMTP.SendAsApp',
  imap: 'IMAP.AccessAsApp',
  pop3: 'POP.AccessAsApp',
};
const DELEGATED_PERMISSION: Record<Protocol, string> = {
  smtp: 'SMTP.Send',
  imap: 'IMAP.AccessAsUser.All',
  pop3: 'POP.AccessAsUser.All',
};
const NAME: Record<Protocol, string> = { smtp: 'SMTP', imap: 'IMAP', pop3: 'POP3' };
const ORDER: Protocol[] = ['smtp', 'imap', 'pop3'];

const PH = {
  tenant: '<Directory (tenant) ID>',
  client: '<Application (client) ID>',
  objectId: '<Enterprise application ObjectId>',
  mailbox: '<mailbox@yourdomain>',
};

/** A PowerShell single-quoted string literal. */
export function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Strips characters that could break out of a Markdown code span or a PowerShell comment line. */
function clean(s: string | undefined): string | undefined {
  const t = s?.replace(/[\r\n`]/g, '').trim();
  return t ? t : undefined;
}

function protocolsOf(input: SetupInput): Protocol[] {
  const set = new Set<Protocol>([
    ...(input.findings ?? []).map((f) => f.protocol),
    ...(input.protocols ?? []),
  ]);
  return set.size ? ORDER.filter((p) => set.has(p)) : [...ORDER];
}

/** The Exchange PowerShell environment name for sovereign hosts found. */
function exchangeEnvironment(findings: SetupFinding[]): string | undefined {
  const hosts = findings.filter((f) => f.hostKind === 'sovereign').map((f) => (f.host ?? '').toLowerCase());
  if (hosts.some((h) => h.endsWith('.office365.us'))) {
    return 'O365USGovGCCHigh';
  }
  if (hosts.some((h) => h.endsWith('partner.outlook.cn'))) {
    return 'O365China';
  }
  return undefined;
}

/** Builds the checklist and the PowerShell script. */
export function setupScript(input: SetupInput): SetupScript {
  const graphOnly = input.graph && input.findings?.length === 0 && !input.protocols?.length;
  const base = graphOnly ? graphOnlyBase(input) : mailSetupScript(input);
  return input.graph ? withGraphSetup(base, input) : base;
}

/**
 * Microsoft Graph sendMail: `Application Mail.Send` through Exchange RBAC for Applications, scoped to the sending
 * mailboxes, instead of the Entra Mail.Send permission (which reaches every mailbox; the two grants add up).
 * No `Connect-ExchangeOnline -Credential` (removed from the module after June 2026).
 */
function withGraphSetup(base: SetupScript, input: SetupInput): SetupScript {
  const mailbox = clean(input.mailbox) ?? PH.mailbox;
  const clientId = clean(input.clientId) ?? PH.client;
  const checklist = [
    base.checklist.trimEnd(),
    '',
    '## Microsoft Graph sendMail (code rewritten with `fix --to graph`)',
    '',
    '- [ ] Permission: Exchange RBAC for Applications, role **Application Mail.Send**, scoped to the sending mailbox(es) (PowerShell below).',
    '- [ ] Do **not** also add the Microsoft Graph application permission Mail.Send in Entra: it lets the app send as every mailbox, and the two grants add up.',
    '- [ ] Outlook.com accounts instead: delegated Microsoft Graph permission Mail.Send (+ offline_access), device code sign-in.',
    `- [ ] Check: \`mail-oauth-migrate verify --protocol graph --user ${mailbox}\` (nothing is sent; add \`--send-test <address>\` to send one message).`,
    '- [ ] Messages over 3 MB (a draft + upload session) also need **Application Mail.ReadWrite** on the same scope: `New-ManagementRoleAssignment -App <service principal> -Role \'Application Mail.ReadWrite\' -CustomResourceScope \'Mail OAuth Graph senders\'` (not needed when messages stay under 3 MB).',
    '- [ ] SMTP AUTH is not needed for this code: it can stay off for the mailbox.',
    '',
  ].join('\n');
  const ps = [
    base.powershell.trimEnd(),
    '',
    '# Microsoft Graph sendMail (fix --to graph): Application Mail.Send through Exchange RBAC for Applications.',
    '# Sign in interactively, with a certificate or a managed identity (the module no longer signs in with -Credential).',
    `# Needs the service principal of step 1 (New-ServicePrincipal -AppId ${psQuote(clientId)} -ObjectId <Enterprise application ObjectId>).`,
    `New-ManagementScope -Name 'Mail OAuth Graph senders' -RecipientRestrictionFilter "PrimarySmtpAddress -eq ${psQuote(mailbox)}"`,
    "New-ManagementRoleAssignment -App $ServicePrincipalObjectId -Role 'Application Mail.Send' -CustomResourceScope 'Mail OAuth Graph senders'",
    '# Check (InScope True for the mailbox, False for others):',
    'Test-ServicePrincipalAuthorization -Identity $ServicePrincipalObjectId -Resource $Mailbox',
    '',
  ].join('\n');
  return { checklist, powershell: ps };
}

const REGISTER_STEP =
  '**Register the app**: Entra admin center → App registrations → New registration (single tenant). Copy the *Application (client) ID* → `MAIL_OAUTH_CLIENT_ID` and the *Directory (tenant) ID* → `MAIL_OAUTH_TENANT_ID`.';
const CREDENTIAL_STEP =
  "**Credential**: Certificates & secrets → New client secret → copy its **Value** (shown once; not the Secret ID) → `MAIL_OAUTH_CLIENT_SECRET` in the deployment's secret store, never in git. Or upload a certificate and set `MAIL_OAUTH_CERTIFICATE_PATH` (PEM private key) and `MAIL_OAUTH_CERTIFICATE_THUMBPRINT` (SHA-256). Note the expiry date.";

function objectIdStep(clientId: string): string {
  return `**Find the Enterprise application ObjectId**: Entra admin center → *Enterprise applications* → All applications → your app → *Object ID*, or \`(Get-MgServicePrincipal -Filter "appId eq '${clientId}'").Id\`. This is **not** the Object ID shown under App registrations; \`New-ServicePrincipal\` with that one creates a service principal Exchange never matches to the token, and logins fail with \`AUTHENTICATE failed\` / \`535 5.7.3\`.`;
}

/** The script's head: sign-in, the app's ids, and its service principal in Exchange Online (step 1). */
function servicePrincipalScript(what: string, tenant: string, clientId: string, mailbox: string, env: string | undefined): string[] {
  const ps: string[] = [];
  ps.push(
    '# Generated by Mail OAuth Migrator: Exchange Online setup for app-only (client credentials) access',
    `# to ${what} for the mailbox below. Review it, fill in every <placeholder>, then run it`,
    '# as an Exchange administrator. Changes can take up to an hour to apply.',
    '# Needs: Install-Module ExchangeOnlineManagement',
    '',
    env
      ? `Connect-ExchangeOnline -ExchangeEnvironmentName ${env}   # sovereign cloud (use O365USGovDoD for DoD tenants)`
      : 'Connect-ExchangeOnline',
    '',
    `# Tenant: ${tenant}`,
    `$AppId    = ${psQuote(clientId)}   # Application (client) ID`,
    '# ObjectId of the *Enterprise application* (service principal), NOT the Object ID shown under',
    "# App registrations: Exchange matches the token's service principal by this id, so the App",
    '# registration object id makes every login fail (IMAP "AUTHENTICATE failed", SMTP 535 5.7.3).',
    `# Get it with Microsoft Graph PowerShell: (Get-MgServicePrincipal -Filter "appId eq '${clientId}'").Id`,
    '# or Entra admin center -> Enterprise applications -> All applications -> your app -> Object ID.',
    `$ServicePrincipalObjectId = ${psQuote(PH.objectId)}`,
    `$Mailbox  = ${psQuote(mailbox)}`,
    '',
    '# 1. Register the app in Exchange Online (once per app).',
    'if (-not (Get-ServicePrincipal -Identity $ServicePrincipalObjectId -ErrorAction SilentlyContinue)) {',
    "  New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalObjectId -DisplayName 'Mail OAuth app'",
    '}',
    '',
  );
  return ps;
}

/**
 * Only Microsoft Graph sendMail (EWS code moved to Graph, or `--graph` with no mail protocol found): the app, its
 * service principal and the Graph scoping below, no IMAP/POP/SMTP permissions.
 */
function graphOnlyBase(input: SetupInput): SetupScript {
  const tenant = clean(input.tenantId) ?? PH.tenant;
  const clientId = clean(input.clientId) ?? PH.client;
  const mailbox = clean(input.mailbox) ?? PH.mailbox;
  const checklist = [
    '# Mail OAuth setup checklist',
    '',
    `Microsoft Graph sendMail only (no SMTP, IMAP or POP login found). Tenant: \`${tenant}\`. App: \`${clientId}\`. Mailbox: \`${mailbox}\`.`,
    '',
    '## Entra admin center (app-only, client credentials)',
    '',
    `1. [ ] ${REGISTER_STEP}`,
    `2. [ ] ${CREDENTIAL_STEP}`,
    `3. [ ] ${objectIdStep(clientId)}`,
    '4. [ ] No Office 365 Exchange Online API permission is needed: Exchange grants Mail.Send (PowerShell below).',
    '',
  ].join('\n');
  return { checklist, powershell: servicePrincipalScript('Microsoft Graph sendMail', tenant, clientId, mailbox, undefined).join('\n') };
}

function mailSetupScript(input: SetupInput): SetupScript {
  const protocols = protocolsOf(input);
  const findings = input.findings ?? [];
  const tenant = clean(input.tenantId) ?? PH.tenant;
  const clientId = clean(input.clientId) ?? PH.client;
  const mailbox = clean(input.mailbox) ?? PH.mailbox;
  const sendAs = [
    ...new Set(
      (input.sendAs ?? [])
        .map(clean)
        .filter((s): s is string => !!s && s.toLowerCase() !== mailbox.toLowerCase()),
    ),
  ];
  const smtp = protocols.includes('smtp');
  const rbac = !!input.rbac && smtp;
  const consumerHosts = [
    ...new Set(
      findings
        .filter((f) => f.hostKind === 'outlook-consumer')
        .map((f) => f.host)
        .filter((h): h is string => !!h),
    ),
  ];
  const exoFindings = findings.filter((f) => f.hostKind !== 'outlook-consumer');
  const appOnlyNeeded = !findings.length || exoFindings.length > 0;
  const env = exchangeEnvironment(findings);
  const entraPermissions = protocols.filter((p) => !(p === 'smtp' && rbac)).map((p) => APP_PERMISSION[p]);
  const mailboxProtocols = protocols.filter((p) => p !== 'smtp' || !rbac);

  // ---------------------------------------------------------------- checklist
  const md: string[] = [];
  md.push(`# Mail OAuth setup checklist`, '');
  md.push(
    `Protocols: ${protocols.map((p) => NAME[p]).join(', ')}${findings.length ? ` (from ${findings.length} finding(s))` : ''}. Tenant: \`${tenant}\`. App: \`${clientId}\`. Mailbox: \`${mailbox}\`.`,
    '',
  );
  if (env) {
    md.push(
      `> Sovereign cloud hosts were found: sign in at the matching Entra admin center and connect with \`Connect-ExchangeOnline -ExchangeEnvironmentName ${env}\` (use \`O365USGovDoD\` for DoD tenants).`,
      '',
    );
  }
  if (appOnlyNeeded) {
    md.push('## Entra admin center (app-only, client credentials)', '');
    let n = 1;
    md.push(`${n++}. [ ] ${REGISTER_STEP}`);
    if (entraPermissions.length) {
      md.push(
        `${n++}. [ ] **API permissions**: Add a permission → *APIs my organization uses* → **Office 365 Exchange Online** → *Application permissions* → ${entraPermissions.map((p) => `\`${p}\``).join(', ')}.`,
      );
      md.push(
        `${n++}. [ ] **Grant admin consent for your tenant** (API permissions → "Grant admin consent"). Without it the token carries no \`roles\` claim and every login fails.`,
      );
    }
    if (rbac) {
      md.push(
        `${n++}. [ ] **Do not add \`SMTP.SendAsApp\`** in Entra: SMTP access is granted by Exchange RBAC for Applications (the \`New-ManagementRoleAssignment\` in the script), scoped to the mailboxes you choose.`,
      );
    }
    md.push(`${n++}. [ ] ${CREDENTIAL_STEP}`, `${n++}. [ ] ${objectIdStep(clientId)}`);
    md.push('', '## Exchange Online (PowerShell below)', '');
    md.push(
      `${n++}. [ ] Run the script as an Exchange administrator (module \`ExchangeOnlineManagement\`): it registers the service principal and grants the mailbox rights.`,
    );
    if (smtp) {
      md.push(
        `${n++}. [ ] **SMTP AUTH must be enabled** for the mailbox even with OAuth (\`Set-CASMailbox -SmtpClientAuthenticationDisabled $false\`); the tenant switch is \`Set-TransportConfig -SmtpClientAuthenticationDisabled\`, and Entra security defaults turn SMTP AUTH off.`,
      );
    }
    if (sendAs.length) {
      md.push(
        `${n++}. [ ] **Send As**: the app sends as ${sendAs.map((a) => `\`${a}\``).join(', ')}; the script grants it (\`Add-RecipientPermission\`). Otherwise Exchange answers \`554 5.2.252 SendAsDenied\`.`,
      );
    }
    md.push(`${n++}. [ ] Wait up to an hour for Exchange to apply the changes, then verify:`, '');
    md.push('```sh');
    for (const p of protocols) {
      md.push(
        `mail-oauth-migrate verify --protocol ${p} --user ${mailbox}${p === 'smtp' && sendAs[0] ? ` --from ${sendAs[0]}` : ''}`,
      );
    }
    md.push('```', '');
  }
  if (consumerHosts.length || !findings.length) {
    md.push('## Outlook.com accounts and user sign-in (delegated)', '');
    if (consumerHosts.length) {
      md.push(
        `Found Outlook.com hosts (${consumerHosts.map((h) => `\`${h}\``).join(', ')}): personal accounts cannot use app-only tokens and need no Exchange PowerShell.`,
        '',
      );
    } else {
      md.push(
        'Only needed when a user signs in (device code) instead of the app-only flow, and always for Outlook.com (personal) accounts.',
        '',
      );
    }
    md.push(
      `- [ ] App registration with supported account types including personal Microsoft accounts (for Outlook.com); Authentication → **Allow public client flows = Yes** (device code).`,
      `- [ ] API permissions → Add a permission → **Microsoft Graph** → *Delegated permissions*: ${protocols.map((p) => `\`${DELEGATED_PERMISSION[p]}\``).join(', ')}, plus \`offline_access\`. The app requests them as \`https://outlook.office.com/<permission>\`.`,
      `- [ ] Run the app (or \`mail-oauth-migrate verify --flow delegated ...\`) with \`MAIL_OAUTH_FLOW=delegated\` and sign in once with the mailbox owner.`,
      '',
    );
  }

  // ---------------------------------------------------------------- PowerShell
  if (!appOnlyNeeded) {
    return {
      checklist:
        md
          .join('\n')
          .replace(/\n{3,}/g, '\n\n')
          .trimEnd() + '\n',
      powershell:
        '# Generated by Mail OAuth Migrator: only Outlook.com (personal) accounts were found.\n# They use the delegated (device code) flow; no Exchange Online PowerShell is needed.\n',
    };
  }
  const ps = servicePrincipalScript(protocols.map((p) => NAME[p]).join(', '), tenant, clientId, mailbox, env);
  if (mailboxProtocols.length) {
    ps.push(
      `# 2. Let it open the mailbox (${mailboxProtocols.map((p) => NAME[p]).join(', ')}).`,
      'Add-MailboxPermission -Identity $Mailbox -User $ServicePrincipalObjectId -AccessRights FullAccess -InheritanceType All',
      '',
    );
  }
  if (sendAs.length) {
    ps.push('# 3. Let it send as these addresses (otherwise: 554 5.2.252 SendAsDenied).');
    for (const a of sendAs) {
      ps.push(
        `Add-RecipientPermission -Identity ${psQuote(a)} -Trustee $ServicePrincipalObjectId -AccessRights SendAs -Confirm:$false`,
      );
    }
    ps.push('');
  }
  const cas: string[] = [];
  if (smtp) {
    cas.push('-SmtpClientAuthenticationDisabled $false');
  }
  if (protocols.includes('imap')) {
    cas.push('-ImapEnabled $true');
  }
  if (protocols.includes('pop3')) {
    cas.push('-PopEnabled $true');
  }
  ps.push('# 4. Protocols the mailbox must allow. SMTP AUTH is needed with OAuth too.');
  ps.push(`Set-CASMailbox -Identity $Mailbox ${cas.join(' ')}`);
  if (smtp) {
    ps.push(
      '# SMTP AUTH can also be off for the whole tenant (5.7.139 "SmtpClientAuthentication is disabled for the Tenant").',
      '# The mailbox setting above overrides it; to enable it tenant-wide instead:',
      '#   Get-TransportConfig | Format-List SmtpClientAuthenticationDisabled',
      '#   Set-TransportConfig -SmtpClientAuthenticationDisabled $false',
      '# Entra security defaults also block SMTP AUTH.',
    );
  }
  ps.push('');
  if (smtp) {
    const rbacLines = [
      "New-ManagementScope -Name 'Mail OAuth SMTP senders' -RecipientRestrictionFilter \"PrimarySmtpAddress -eq '$Mailbox'\"",
      "New-ManagementRoleAssignment -App $ServicePrincipalObjectId -Role 'Application SMTP.SendAsApp' -CustomResourceScope 'Mail OAuth SMTP senders'",
      '# Check: Test-ServicePrincipalAuthorization -Identity $ServicePrincipalObjectId -Resource $Mailbox',
    ];
    if (rbac) {
      ps.push(
        '# 5. SMTP through Exchange RBAC for Applications (instead of the SMTP.SendAsApp Entra permission:',
        '#    do NOT add SMTP.SendAsApp in Entra, or the scope below is bypassed for every mailbox).',
        ...rbacLines,
      );
    } else {
      ps.push(
        '# Alternative for SMTP: Exchange RBAC for Applications, scoped to chosen mailboxes, instead of the',
        '# SMTP.SendAsApp Entra permission. If you use it, do NOT add SMTP.SendAsApp in Entra (remove it and',
        '# its consent), and you can skip the FullAccess grant for SMTP-only use. Uncomment to use:',
        ...rbacLines.map((l) => (l.startsWith('#') ? `# ${l.slice(2)}` : `# ${l}`)),
      );
    }
    ps.push('');
  }
  ps.push(
    '# Verify what Exchange sees:',
    '#   Get-ServicePrincipal -Identity $ServicePrincipalObjectId | Format-List AppId, ObjectId, DisplayName',
  );
  if (mailboxProtocols.length) {
    ps.push('#   Get-MailboxPermission -Identity $Mailbox -User $ServicePrincipalObjectId');
  }
  ps.push(
    '#   Get-CASMailbox -Identity $Mailbox | Format-List SmtpClientAuthenticationDisabled, ImapEnabled, PopEnabled',
    '',
  );
  return {
    checklist:
      md
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trimEnd() + '\n',
    powershell: ps.join('\n'),
  };
}

/** One Markdown document with the checklist and the script (what the CLI prints and the editor shows). */
export function setupMarkdown(s: SetupScript): string {
  return `${s.checklist}\n## Exchange Online PowerShell\n\n\`\`\`powershell\n${s.powershell.trimEnd()}\n\`\`\`\n`;
}
