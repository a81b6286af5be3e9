/**
 * @nestjs-modules/mailer: `MailerModule.forRoot({ transport | transports })` and
 * `forRootAsync({ useFactory, inject })`; values read with ConfigService come from the dotenv files.
 *
 * ❌ MailerModule.forRoot({ transport: { host: 'smtp.office365.com', auth: { user, pass } } })
 * ❌ MailerModule.forRoot({ transport: 'smtps://user:pass@smtp.office365.com' })
 * ❌ MailerModule.forRootAsync({ inject: [ConfigService], useFactory: (config) => ({ transport: { host: config.get('MAIL_HOST'), auth: { ... } } }) })
 * ❌ MailerModule.forRootAsync({ useClass: MailConfig })   // MailConfig.createMailerOptions() returns the options (this.config.get(...))
 * ✅ the same with `auth: { type: 'OAuth2', user, accessToken }`, SendGrid / Gmail hosts, `jsonTransport: true`
 */
import { ts } from '../ts';
import { instanceOf, intrinsicKey, returnedExpression, type Val } from '../resolve';
import { configOf, envReader } from './framework';
import { nodemailerFacts, reportNodemailer } from './nodemailer';
import { prop } from './shared';
import type { CallSite, Detector, DetectorContext } from './types';

const CONFIG_SERVICE = ['ConfigService', 'prototype'];

/** The options a `forRootAsync({ useFactory, inject })` factory returns, its parameters bound to `inject`. */
function factoryOptions(ctx: DetectorContext, asyncOpts: Val): Val | undefined {
  const factory = prop(ctx, asyncOpts, 'useFactory');
  if (!factory || factory.kind !== 'function') {
    return undefined;
  }
  const inject = prop(ctx, asyncOpts, 'inject');
  const args = inject?.kind === 'array' ? inject.items.map((i) => (i.kind === 'module' ? instanceOf(i, i.node) : i)) : [];
  return configOf(ctx.ev, factory, args);
}

/** `useClass: X` / `useExisting: X`: what `X.prototype.createMailerOptions()` returns (a MailerOptionsFactory). */
function classOptions(ctx: DetectorContext, asyncOpts: Val): Val | undefined {
  const p = asyncOpts.kind === 'object' ? (asyncOpts.props.get('useClass') ?? asyncOpts.props.get('useExisting')) : undefined;
  const init = p && ts.isPropertyAssignment(p.node) ? p.node.initializer : undefined;
  if (!init) {
    return undefined;
  }
  // Evaluating the reference first asks for its module when it is imported and not loaded yet.
  ctx.ev.evaluate(init);
  let sym = ctx.checker.getSymbolAtLocation(init);
  if (sym && sym.flags & ts.SymbolFlags.Alias) {
    sym = ctx.checker.getAliasedSymbol(sym);
  }
  const cls = sym?.valueDeclaration;
  if (!cls || !ts.isClassLike(cls)) {
    return undefined;
  }
  const method = cls.members.find(
    (m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === 'createMailerOptions',
  );
  const ret = method && returnedExpression(method);
  return ret ? ctx.ev.evaluate(ret) : undefined;
}

export const nestjsMailer: Detector = {
  id: 'nestjs-mailer',
  reportAs: 'nodemailer-password-auth',
  library: 'nodemailer',
  protocol: 'smtp',
  framework: '@nestjs-modules/mailer',
  autoFix: true,
  frameworkFix:
    "MailerModule passes `transport` to nodemailer: make it an options object with `auth: { type: 'OAuth2', user, accessToken }` (a token from @azure/msal-node, renewed before it expires, e.g. in useFactory) instead of a password or a smtp://user:pass@ URL",
  packages: ['@nestjs-modules/mailer'],
  intrinsics: {
    [intrinsicKey('@nestjs/config', [...CONFIG_SERVICE, 'get'])]: envReader(),
    [intrinsicKey('@nestjs/config', [...CONFIG_SERVICE, 'getOrThrow'])]: envReader(),
  },
  matches: (s) => s.pkg === '@nestjs-modules/mailer' && !s.isNew && /^MailerModule\.forRoot(Async)?$/.test(s.path.join('.')),
  detect(site: CallSite, ctx: DetectorContext) {
    const arg = site.args[0];
    if (!arg) {
      return;
    }
    const given = ctx.ev.evaluate(arg);
    const opts = site.path[1] === 'forRootAsync' ? (factoryOptions(ctx, given) ?? classOptions(ctx, given)) : given;
    const transports: Val[] = [];
    const one = prop(ctx, opts, 'transport');
    if (one) {
      transports.push(one);
    }
    const many = prop(ctx, opts, 'transports');
    if (many?.kind === 'object') {
      many.props.forEach((p) => transports.push(p.get()));
    }
    for (const t of transports) {
      const facts = nodemailerFacts(ctx, t);
      if (facts) {
        reportNodemailer(this, site, ctx, facts);
      }
    }
  },
};
