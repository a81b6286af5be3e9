// NOT a finding: Microsoft host names in plain strings, no mail client created.
export const SETUP_HELP = [
  'Outgoing server: smtp.office365.com, port 587, STARTTLS',
  'Incoming server: outlook.office365.com, port 993, SSL/TLS',
].join('\n');

export const KNOWN_MICROSOFT_HOSTS = new Set([
  'smtp.office365.com',
  'outlook.office365.com',
  'smtp-mail.outlook.com',
]);

export function isMicrosoftHost(host: string): boolean {
  return KNOWN_MICROSOFT_HOSTS.has(host.toLowerCase());
}
