/**
 * Microsoft mail endpoints, nodemailer's well-known services, and the dates that drive severity.
 * Facts: docs/domain-facts.md (sections 1 and 3).
 */
import servicesData from './data/nodemailer-services.json';
import type { FindingProtocol, HostKind, Severity } from './model';

/** End of December 2026: SMTP AUTH Basic auth is disabled by default for existing Exchange Online tenants. */
export const SMTP_BASIC_AUTH_OFF = new Date('2027-01-01T00:00:00Z');

const EXCHANGE_ONLINE_EXACT = new Set([
  'smtp.office365.com',
  'smtp-legacy.office365.com',
  'outlook.office365.com',
  'outlook.office.com',
]);
const OUTLOOK_CONSUMER = new Set([
  'smtp-mail.outlook.com',
  'imap-mail.outlook.com',
  'pop-mail.outlook.com',
  'smtp.live.com',
  'imap.live.com',
  'pop3.live.com',
]);
/** Basic auth on High Volume Email stays supported until 2028; it is not a finding. */
const NOT_FINDINGS = new Set(['smtp-hve.office365.com']);

/** Normalises a host the way DNS compares it: lower case, no trailing dot, no port. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.endsWith('.')) {
    h = h.slice(0, -1);
  }
  const colon = h.lastIndexOf(':');
  if (colon > 0 && !h.includes(']') && /^\d+$/.test(h.slice(colon + 1))) {
    h = h.slice(0, colon);
  }
  return h;
}

/**
 * Classifies a host. Returns undefined for hosts that are not Microsoft mail endpoints we care about
 * (including Direct Send to `*.mail.protection.outlook.com`, which takes no credentials).
 */
export function classifyHost(host: string, extraHosts: readonly string[] = []): HostKind | undefined {
  const h = normalizeHost(host);
  if (!h || NOT_FINDINGS.has(h) || h.endsWith('.mail.protection.outlook.com')) {
    return undefined;
  }
  if (extraHosts.some((x) => normalizeHost(x) === h)) {
    return 'configured';
  }
  if (OUTLOOK_CONSUMER.has(h)) {
    return 'outlook-consumer';
  }
  if (EXCHANGE_ONLINE_EXACT.has(h) || h.endsWith('.office365.com') || h.endsWith('.outlook.office.com')) {
    return 'exchange-online';
  }
  if (h === 'office365.us' || h.endsWith('.office365.us') || h === 'partner.outlook.cn' || h.endsWith('.partner.outlook.cn')) {
    return 'sovereign';
  }
  return undefined;
}

interface WellKnown {
  host: string;
  port?: number | string;
  secure?: boolean;
}
const SERVICES = (servicesData as unknown as { services: Record<string, WellKnown> }).services;

/** nodemailer's `well-known` lookup: accepts a name, an alias or an e-mail address. */
export function lookupNodemailerService(key: string): WellKnown | undefined {
  const k = (key.split('@').pop() ?? '').replace(/[^a-zA-Z0-9.-]/g, '').toLowerCase();
  return Object.prototype.hasOwnProperty.call(SERVICES, k) ? SERVICES[k] : undefined;
}

/** Severity from the protocol, the host and today's date (SMTP to Exchange Online turns to error in 2027). */
export function severityFor(protocol: FindingProtocol, kind: HostKind | undefined, now: Date): Severity {
  if (kind === undefined) {
    return 'info';
  }
  if (protocol !== 'smtp' || kind === 'outlook-consumer') {
    return 'error';
  }
  return now >= SMTP_BASIC_AUTH_OFF ? 'error' : 'warning';
}

const PROTOCOL_NAME: Record<FindingProtocol, string> = { smtp: 'SMTP AUTH', imap: 'IMAP', pop3: 'POP3', ews: 'EWS' };

/** The finding message: what breaks, when, and what to do. Never includes a credential. */
export function consequenceMessage(protocol: FindingProtocol, kind: HostKind, host: string, library: string): string {
  const what = `${PROTOCOL_NAME[protocol]} password login to ${host} (${library})`;
  if (kind === 'outlook-consumer') {
    return `${what}: Outlook.com has refused password logins from apps since 16 Sep 2024 (535 5.7.139 / LOGIN failed). Switch to OAuth2 (XOAUTH2) with a delegated token.`;
  }
  if (protocol === 'smtp') {
    return `${what}: Exchange Online disables SMTP AUTH Basic authentication by default at the end of December 2026; sends will then fail with 535 5.7.139. Switch to OAuth2 (XOAUTH2).`;
  }
  return `${what}: Exchange Online has refused ${PROTOCOL_NAME[protocol]} Basic authentication since Oct-Dec 2022 ("NO LOGIN failed" / "-ERR Authentication failure"). Switch to OAuth2 (XOAUTH2).`;
}
