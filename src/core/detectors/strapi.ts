/**
 * Strapi's email plugin with the nodemailer provider, configured in `config/plugins.{js,ts}` or
 * `config/env/<env>/plugins.{js,ts}` of a package that depends on @strapi/strapi (Strapi 3: `strapi`).
 * `env('X', default)` / `env.int('X', n)` are read from the package's dotenv files, the default as fallback.
 *
 * ❌ module.exports = ({ env }) => ({ email: { config: { provider: 'nodemailer',
 *      providerOptions: { host: env('SMTP_HOST', 'smtp.office365.com'), auth: { user: env('SMTP_USER'), pass: env('SMTP_PASS') } } } } })
 * ❌ Strapi 3: module.exports = ({ env }) => ({ email: { provider: 'nodemailer', providerOptions: { ... } } })
 * ✅ provider: 'sendgrid' / 'amazon-ses', a non-Microsoft host, OAuth2 auth
 */
import { ts } from '../ts';
import { intrinsicKey, type Val } from '../resolve';
import { STRAPI_PLUGINS_FILE } from '../rule-meta';
import { configOf, envReader, nearestPackageDeps, objectVal, TYPED_READERS } from './framework';
import { nodemailerFacts, reportNodemailer } from './nodemailer';
import { prop, propNode, str } from './shared';
import type { Detector, DetectorContext } from './types';

const NODEMAILER_PROVIDERS = new Set(['nodemailer', '@strapi/provider-email-nodemailer', 'strapi-provider-email-nodemailer']);
const ENV = '@strapi/utils';

/** The value Strapi exports from a config file: `module.exports = ...` or `export default ...`. */
function exported(ctx: DetectorContext, sf: ts.SourceFile): Val | undefined {
  const mod = ctx.ev.evalModuleFile(sf);
  if (mod.kind === 'object' && mod.props.has('default') && !mod.props.has('email')) {
    return mod.props.get('default')?.get();
  }
  return mod;
}

export const strapiEmail: Detector = {
  id: 'strapi-email',
  reportAs: 'nodemailer-password-auth',
  library: 'nodemailer',
  protocol: 'smtp',
  framework: 'Strapi email plugin',
  autoFix: true,
  frameworkFix:
    "Strapi's nodemailer provider passes `providerOptions` to nodemailer: give them `auth: { type: 'OAuth2', user, accessToken }` (a token from @azure/msal-node) instead of a password",
  packages: [],
  intrinsics: Object.fromEntries([
    [intrinsicKey(ENV, ['env']), envReader()],
    ...Object.entries(TYPED_READERS).map(([k, f]) => [intrinsicKey(ENV, ['env', k]), envReader(f)]),
  ]),
  matches: () => false,
  detect: () => undefined,
  appliesTo: (sf) => STRAPI_PLUGINS_FILE.test(sf.fileName) && sf.text.includes('email'),
  detectFile(sf, ctx) {
    const deps = nearestPackageDeps(sf.fileName);
    // a package with only the email provider listed (Strapi itself from a workspace root) is a Strapi app too
    if (!deps.has('@strapi/strapi') && !deps.has('strapi') && ![...NODEMAILER_PROVIDERS].some((p) => p !== 'nodemailer' && deps.has(p))) {
      return;
    }
    const value = exported(ctx, sf);
    const env: Val = { kind: 'module', pkg: ENV, path: ['env'], node: sf };
    const config = value && configOf(ctx.ev, value, [objectVal(sf, { env })]);
    const email = prop(ctx, config, 'email');
    // Strapi 4/5 nest the provider under `config`; Strapi 3 does not.
    const holder = prop(ctx, email, 'config') ?? email;
    const provider = str(prop(ctx, holder, 'provider'));
    const options = prop(ctx, holder, 'providerOptions');
    if (!provider || !NODEMAILER_PROVIDERS.has(provider) || !options) {
      return;
    }
    const facts = nodemailerFacts(ctx, options);
    const at = propNode(holder, 'providerOptions');
    if (facts && at) {
      reportNodemailer(this, { node: at }, ctx, facts);
    }
  },
};
