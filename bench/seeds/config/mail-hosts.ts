// Shared mail endpoints. Not a finding by itself: no client is created here.
export const OFFICE365_SMTP_HOST = 'smtp.office365.com';
export const OFFICE365_IMAP_HOST = 'outlook.office365.com';
export const SMTP_SUBMISSION_PORT = 587;
