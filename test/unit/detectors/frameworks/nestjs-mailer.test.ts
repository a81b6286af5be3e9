/** @nestjs-modules/mailer: forRoot / forRootAsync with ConfigService values from .env. */
import { run } from '../../harness/detector-tester';

const E = { code: 'nodemailer-password-auth', host: 'smtp.office365.com', message: '@nestjs-modules/mailer' };
const IMPORTS = "import { Module } from '@nestjs/common';\nimport { ConfigModule, ConfigService } from '@nestjs/config';\nimport { MailerModule } from '@nestjs-modules/mailer';";
const F = 'src/mail/mail.module.ts';
const ENV = { '.env': 'MAIL_HOST=smtp.office365.com\nMAIL_USER=app@contoso.com\nMAIL_PASSWORD=hunter2\n' };
const factory = (body: string): string =>
  `${IMPORTS}\n@Module({\n  imports: [\n    MailerModule.forRootAsync({\n      imports: [ConfigModule],\n      inject: [ConfigService],\n      useFactory: ${body},\n    }),\n  ],\n})\nexport class MailModule {}`;

run('nestjs-mailer', {
  valid: [
    // SendGrid, Gmail, OAuth2, jsonTransport
    { filename: F, code: `${IMPORTS}\nMailerModule.forRoot({ transport: { host: 'smtp.sendgrid.net', auth: { user: 'apikey', pass: process.env.SENDGRID_API_KEY } } });` },
    { filename: F, code: `${IMPORTS}\nMailerModule.forRoot({ transport: 'smtps://me%40gmail.com:pw@smtp.gmail.com' });` },
    { filename: F, code: `${IMPORTS}\nMailerModule.forRoot({ transport: { host: 'smtp.office365.com', auth: { type: 'OAuth2', user: 'a@contoso.com', accessToken: 't' } } });` },
    { filename: F, code: `${IMPORTS}\nMailerModule.forRoot({ transport: { jsonTransport: true }, defaults: { from: 'x@contoso.com' } });` },
    // ConfigService values that point elsewhere
    { filename: F, code: factory(`async (config: ConfigService) => ({ transport: { host: config.get('MAIL_HOST'), auth: { user: config.get('MAIL_USER'), pass: config.get('MAIL_PASSWORD') } } })`), env: { '.env': 'MAIL_HOST=smtp.mailgun.org\nMAIL_PASSWORD=x\n' } },
    // unset host without a default: unresolved, not a finding by default
    { filename: F, code: factory(`(config: ConfigService) => ({ transport: { host: config.get('MAIL_HOST'), auth: { user: 'u', pass: config.get('MAIL_PASSWORD') } } })`) },
    // a local MailerModule
    { filename: F, code: `const MailerModule = { forRoot: (o: unknown) => o };\nMailerModule.forRoot({ transport: { host: 'smtp.office365.com', auth: { user: 'u', pass: 'p' } } });` },
    // MailerService usage is not configuration
    { filename: 'src/mail/mail.service.ts', code: `import { MailerService } from '@nestjs-modules/mailer';\nexport class MailService { constructor(private readonly mailer: MailerService) {}\n  send() { return this.mailer.sendMail({ to: 'x@contoso.com', subject: 'smtp.office365.com' }); } }` },
    // a useClass factory that configures SendGrid, and a class without createMailerOptions
    { filename: F, code: `${IMPORTS}\nclass MailConfig { constructor(private readonly config: ConfigService) {}\n  createMailerOptions() { return { transport: { host: 'smtp.sendgrid.net', auth: { user: 'apikey', pass: this.config.get('SENDGRID_API_KEY') } } }; } }\nMailerModule.forRootAsync({ useClass: MailConfig });` },
    { filename: F, code: `${IMPORTS}\nclass MailConfig { options() { return { transport: { host: 'smtp.office365.com', auth: { user: 'u', pass: 'p' } } }; } }\nMailerModule.forRootAsync({ useClass: MailConfig });` },
    // relay without credentials
    { filename: F, code: `${IMPORTS}\nMailerModule.forRoot({ transport: 'smtp://smtp.office365.com:587' });` },
  ],
  invalid: [
    {
      name: 'forRoot with an options object',
      filename: F,
      code: `${IMPORTS}\n@Module({ imports: [MailerModule.forRoot({ transport: { host: 'smtp.office365.com', port: 587, secure: false, auth: { user: 'app@contoso.com', pass: process.env.MAIL_PASSWORD } }, defaults: { from: '"App" <app@contoso.com>' } })] })\nexport class MailModule {}`,
      errors: [{ ...E, line: 4 }],
    },
    {
      name: 'forRoot with a URL string',
      filename: F,
      code: `${IMPORTS}\nMailerModule.forRoot({ transport: 'smtps://app%40contoso.com:YOUR_PASSWORD@smtp.office365.com' });`,
      errors: [E],
    },
    {
      name: 'forRootAsync, ConfigService typed parameter, values from .env',
      filename: F,
      code: factory(`async (config: ConfigService) => ({\n        transport: {\n          host: config.get('MAIL_HOST'),\n          port: 587,\n          auth: { user: config.get<string>('MAIL_USER'), pass: config.get<string>('MAIL_PASSWORD') },\n        },\n      })`),
      env: ENV,
      errors: [{ ...E, line: 6, related: ['MAIL_HOST=smtp.office365.com', 'MAIL_PASSWORD (value not shown)'] }],
    },
    {
      name: 'forRootAsync, untyped parameter bound through inject, block body, getOrThrow',
      filename: F,
      code: factory(`(cfg) => {\n        return { transport: { host: cfg.getOrThrow('MAIL_HOST'), auth: { user: cfg.get('MAIL_USER'), pass: cfg.get('MAIL_PASSWORD') } } };\n      }`),
      env: ENV,
      errors: [E],
    },
    {
      name: 'forRootAsync, ConfigService default value',
      filename: F,
      code: factory(`(config: ConfigService) => ({ transport: { host: config.get('SMTP_HOST', 'smtp.office365.com'), auth: { user: 'u', pass: config.get('SMTP_PASS') } } })`),
      errors: [E],
    },
    {
      name: 'forRootAsync useClass in another module, this.config.get through .env',
      filename: F,
      code: `${IMPORTS}\nimport { MailConfigService } from './mail-config.service';\nMailerModule.forRootAsync({ imports: [ConfigModule], useClass: MailConfigService });`,
      files: {
        'src/mail/mail-config.service.ts': "import { Injectable } from '@nestjs/common';\nimport { ConfigService } from '@nestjs/config';\nimport type { MailerOptions, MailerOptionsFactory } from '@nestjs-modules/mailer';\n@Injectable()\nexport class MailConfigService implements MailerOptionsFactory {\n  constructor(private readonly config: ConfigService) {}\n  createMailerOptions(): MailerOptions {\n    return { transport: { host: this.config.get('MAIL_HOST'), auth: { user: this.config.get('MAIL_USER'), pass: this.config.get('MAIL_PASSWORD') } } };\n  }\n}\n",
      },
      env: ENV,
      errors: [{ ...E, related: ['MAIL_HOST=smtp.office365.com'] }],
    },
    {
      name: 'named transports',
      filename: F,
      code: `${IMPORTS}\nMailerModule.forRoot({ transports: { internal: { host: 'smtp.office365.com', auth: { user: 'a', pass: 'changeme' } }, marketing: { host: 'smtp.sendgrid.net', auth: { user: 'apikey', pass: 'x' } } } });`,
      errors: [E],
    },
  ],
});
