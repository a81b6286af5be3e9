'use strict';
// Order confirmation mailer: SMTP AUTH with a password against Exchange Online.
const nodemailer = require('nodemailer');

const transporter = nodemailer.createTransport({
  host: 'smtp.office365.com',
  port: 587,
  secure: false,
  requireTLS: true,
  auth: {
    user: 'orders@contoso.com',
    pass: process.env.SMTP_PASS,
  },
});

async function sendOrderConfirmation(order) {
  return transporter.sendMail({
    from: '"Contoso Orders" <orders@contoso.com>',
    to: order.customerEmail,
    subject: `Order ${order.id} confirmed`,
    text: `Thanks for your order of ${order.items.length} item(s).`,
  });
}

module.exports = { sendOrderConfirmation };
