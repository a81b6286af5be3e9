/** The settings the generated provider reads, with the help text written to .env.example. */
export const ENV_VARS = {
  MAIL_OAUTH_TENANT_ID: 'Directory (tenant) ID: Entra admin center → App registrations → your app → Overview.',
  MAIL_OAUTH_CLIENT_ID: 'Application (client) ID: Entra admin center → App registrations → your app → Overview.',
  MAIL_OAUTH_CLIENT_SECRET:
    'Client secret VALUE (not its ID): App registration → Certificates & secrets → New client secret. Keep it out of git; set it in the deployment environment.',
  MAIL_OAUTH_CERTIFICATE_PATH:
    'Instead of a secret: path to a PEM file with the private key of a certificate uploaded under Certificates & secrets.',
  MAIL_OAUTH_CERTIFICATE_THUMBPRINT: 'SHA-256 thumbprint (hex) of that certificate, as shown in the Entra admin center.',
  MAIL_OAUTH_AUTHORITY:
    'Optional: authority URL override, e.g. https://login.microsoftonline.us/<tenant> (US Government) or a test authority.',
  MAIL_OAUTH_FLOW:
    "Optional: 'app' (client credentials; Exchange Online mailboxes) or 'delegated' (device code sign-in; required for Outlook.com accounts).",
} as const;
