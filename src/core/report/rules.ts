/** Rule metadata shared by SARIF output, the docs and the editor (code → title, help, docs anchor). */
import { RULES } from '../rule-meta';

export const DOCS_BASE = 'https://github.com/mail-oauth-migrator/mail-oauth-migrator/blob/main/docs/rules.md';

export interface RuleInfo {
  id: string;
  title: string;
  help: string;
  helpUri: string;
}

const PROTOCOL_HELP: Record<string, string> = {
  smtp: 'Exchange Online disables SMTP AUTH Basic authentication by default at the end of December 2026 (Outlook.com consumer accounts already refuse it). Authenticate with OAuth2 (SASL XOAUTH2) using an access token from @azure/msal-node: app-only (client credentials, scope https://outlook.office365.com/.default, permission SMTP.SendAsApp) or delegated (SMTP.Send).',
  imap: 'Exchange Online has refused IMAP Basic authentication since late 2022 and Outlook.com since Sep 2024. Authenticate with OAuth2 (SASL XOAUTH2) using an access token from @azure/msal-node: app-only (IMAP.AccessAsApp) or delegated (IMAP.AccessAsUser.All).',
  pop3: 'Exchange Online has refused POP Basic authentication since late 2022 and Outlook.com since Sep 2024. Authenticate with OAuth2 (SASL XOAUTH2) using an access token from @azure/msal-node: app-only (POP.AccessAsApp) or delegated (POP.AccessAsUser.All).',
};

/** Info rule of the nodemailer detector (src/core/detectors/nodemailer.ts UNKNOWN_SERVICE_RULE). */
const UNKNOWN_SERVICE = 'nodemailer-unknown-service';

export function ruleInfo(code: string): RuleInfo {
  if (code === UNKNOWN_SERVICE) {
    return {
      id: code,
      title: "nodemailer: a Microsoft `service` name nodemailer does not know (it connects to `host`, localhost by default)",
      help: "nodemailer ignores a `service` that is not in its well-known list ('Office365' is not; 'Outlook365' is) and connects to `host`, localhost when none is set. Use service 'Outlook365' (smtp.office365.com:587) or 'hotmail' (Outlook.com), and OAuth2 (XOAUTH2) for the login.",
      helpUri: `${DOCS_BASE}#${code}`,
    };
  }
  const d = RULES.find((x) => x.id === code);
  if (!d) {
    return {
      id: code,
      title: 'Mail client with a password login to a host that could not be resolved',
      help: 'The host of this mail client could not be resolved statically. If it is Exchange Online or Outlook.com, the password login will stop working; check the configuration. This rule is off by default.',
      helpUri: `${DOCS_BASE}#${code}`,
    };
  }
  return {
    id: d.id,
    title: d.title ?? `${d.library}: password login to Exchange Online / Outlook.com (${d.protocol.toUpperCase()})`,
    help: d.help ?? PROTOCOL_HELP[d.protocol] + (d.manual ? ` ${d.manual}` : ''),
    helpUri: `${DOCS_BASE}#${d.id}`,
  };
}

export function allRules(): RuleInfo[] {
  return [...RULES.map((d) => ruleInfo(d.id)), ruleInfo(UNKNOWN_SERVICE), ruleInfo('unresolved-mail-host')];
}
