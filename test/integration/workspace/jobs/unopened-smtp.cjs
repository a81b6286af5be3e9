// Never opened by the tests: only the workspace scan can report it.
const { createTransport } = require('nodemailer');

exports.transport = createTransport('smtps://bounce%40contoso.example:secret@smtp.office365.com');
