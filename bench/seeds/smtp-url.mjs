// Connection URL with credentials embedded, as found in many older scripts.
import nodemailer from 'nodemailer';

const transport = nodemailer.createTransport(
  'smtps://reports%40contoso.com:Winter2024!@smtp.office365.com:465',
);

export async function mailWeeklyReport(csv) {
  await transport.sendMail({
    from: 'reports@contoso.com',
    to: 'finance@contoso.com',
    subject: 'Weekly report',
    attachments: [{ filename: 'report.csv', content: csv }],
  });
}
