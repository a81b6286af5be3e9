/**
 * `verify --protocol graph`: the checks for code that sends through Microsoft Graph sendMail (`fix --to graph`).
 * Configuration as for SMTP; a token for Microsoft Graph; its claims (audience, Mail.Send as role or scope — with
 * RBAC for Applications the app token carries no role and Exchange decides); then the send permission, checked
 * WITHOUT sending: an empty sendMail request is authorised first (401/403/404 name the missing piece) and only then
 * refused as empty (400). `--send-test TO` sends a real test message instead.
 */
import * as https from 'node:https';
import { decodeJwtClaims } from './claims';
import { explainTokenError } from './explain';
import { checkConfig, type VerifyDeps, type VerifyInput, type VerifyReport, type VerifyStep } from './index';
import { Redactor } from './redact';
import { msalTokenAcquirer } from './token';

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Microsoft Graph of the mail host's cloud (the DoD cloud is reached through --graph-endpoint). */
export function graphResourceFor(host: string | undefined): string {
  const h = (host ?? '').toLowerCase();
  if (h.endsWith('.office365.us')) {
    return 'https://graph.microsoft.us';
  }
  return h.endsWith('partner.outlook.cn') ? 'https://microsoftgraph.chinacloudapi.cn' : 'https://graph.microsoft.com';
}

interface GraphReply {
  status: number;
  code: string;
  message: string;
}

function post(url: string, token: string, body: string, ca: string | undefined, timeoutMs: number): Promise<GraphReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', ca, timeout: timeoutMs, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let code = '';
          let message = text.split('\n', 1)[0];
          try {
            const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
            code = e?.code ?? '';
            message = e?.message ?? message;
          } catch {
            // not JSON: keep the first line
          }
          resolve({ status: res.statusCode ?? 0, code, message });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Cause and remedy of a refused sendMail (the same causes the generated graphTransport names). */
function explainGraphRefusal(r: GraphReply, mailbox: string): { detail: string; remedy: string } {
  const said = `${r.status} ${r.code}: ${r.message}`;
  if (/audience/i.test(r.message)) {
    return { detail: `the token is not for Microsoft Graph (${said})`, remedy: 'Request the token for https://graph.microsoft.com/.default (or the Graph of your cloud) and keep MAIL_OAUTH_GRAPH_ENDPOINT in the same cloud.' };
  }
  if (/RAOP|AccessPolicy/i.test(r.message)) {
    return { detail: `the app may not send as ${mailbox} (${said})`, remedy: `Add ${mailbox} to the app's management scope (New-ManagementScope … -RecipientRestrictionFilter "PrimarySmtpAddress -eq '${mailbox}'") or application access policy; check with Test-ServicePrincipalAuthorization.` };
  }
  if (r.code === 'ErrorAccessDenied') {
    return { detail: `the app lacks the Mail.Send permission (${said})`, remedy: 'Assign the Exchange role "Application Mail.Send" with RBAC for Applications (New-ManagementRoleAssignment -App <client id> -Role "Application Mail.Send" -CustomResourceScope <scope>), or grant Microsoft Graph Mail.Send with admin consent (that reaches every mailbox).' };
  }
  if (r.code === 'ErrorInvalidUser' || r.status === 404) {
    return { detail: `no mailbox ${mailbox} in the tenant (${said})`, remedy: 'Give the sending mailbox (--user): the mailbox whose SMTP address Graph sends from.' };
  }
  if (r.status === 401) {
    return { detail: `Microsoft Graph refused the token (${said})`, remedy: 'Check the tenant and app registration; a token expires after about an hour.' };
  }
  return { detail: `Microsoft Graph refused the request (${said})`, remedy: 'See the Microsoft Graph error codes; retry later for 429/503/504.' };
}

export async function verifyGraph(input: VerifyInput, deps: VerifyDeps = {}): Promise<VerifyReport> {
  const redactor = new Redactor();
  redactor.add(input.clientSecret);
  redactor.add(input.certificate?.privateKey);
  const steps: VerifyStep[] = [];
  const finish = (): VerifyReport => {
    const masked = steps.map((s) => ({ ...s, detail: redactor.mask(s.detail), ...(s.remedy !== undefined ? { remedy: redactor.mask(s.remedy) } : {}) }));
    return { ok: masked.length > 0 && masked.every((s) => s.ok), steps: masked };
  };
  deps.onProgress?.('configuration');
  const cfg = checkConfig({ ...input, protocol: 'smtp' }, deps);
  const r = cfg.resolved;
  // the SMTP configuration only gives the cloud, the mailbox and the credentials here
  const detail = cfg.step.ok ? cfg.step.detail.replace(/^smtp \S+ with \S+; /, 'Microsoft Graph sendMail; ').replace(/; scope \S+$/, '') : cfg.step.detail;
  steps.push({ ...cfg.step, detail });
  if (!r) {
    return finish();
  }
  const resource = input.resource ?? graphResourceFor(r.host);
  const endpoint = (input.graph?.endpoint ?? resource).replace(/\/+$/, '');
  const scopes = r.flow === 'app' ? [`${resource}/.default`] : [`${resource}/Mail.Send`, 'offline_access'];

  deps.onProgress?.('token');
  let token: string;
  try {
    const t = await (deps.acquireToken ?? msalTokenAcquirer)({
      flow: r.flow,
      clientId: r.clientId,
      authority: r.authority,
      knownAuthorities: r.knownAuthorities,
      scopes,
      clientSecret: r.clientSecret,
      certificate: r.certificate,
      deviceCodeCallback: deps.deviceCodeCallback,
      signal: deps.signal,
    });
    token = t.accessToken;
    redactor.add(token);
    steps.push({ name: 'token', ok: true, detail: `${r.flow === 'app' ? 'app-only' : 'delegated'} token for ${scopes.join(' ')}` });
  } catch (e) {
    const x = explainTokenError(e, { flow: r.flow, clientId: r.clientId, tenantId: r.tenantId, authority: r.authority, credential: r.credential });
    steps.push({ name: 'token', ok: false, detail: x.detail, remedy: x.remedy });
    return finish();
  }

  deps.onProgress?.('claims');
  const claims = decodeJwtClaims(token) as (Record<string, unknown> & { aud?: string; roles?: string[]; scp?: string }) | undefined;
  if (!claims) {
    steps.push({ name: 'claims', ok: true, detail: 'the token is not a readable JWT (checked by Graph next)' });
  } else if (claims.aud !== resource && claims.aud !== GRAPH_APP_ID) {
    steps.push({ name: 'claims', ok: false, detail: `audience ${String(claims.aud)}, not ${resource}`, remedy: `Request the token for ${resource}/.default.` });
    return finish();
  } else if (r.flow === 'delegated' && !String(claims.scp ?? '').split(' ').includes('Mail.Send')) {
    steps.push({ name: 'claims', ok: false, detail: `no Mail.Send scope (scp: ${String(claims.scp ?? '')})`, remedy: 'Add the delegated Microsoft Graph permission Mail.Send to the app registration and sign in again.' });
    return finish();
  } else {
    const role = (claims.roles ?? []).includes('Mail.Send');
    steps.push({
      name: 'claims',
      ok: true,
      detail:
        r.flow === 'delegated'
          ? 'delegated token with the Mail.Send scope'
          : role
            ? 'app token with the Mail.Send role (Entra grant: it reaches every mailbox unless scoped)'
            : 'app token without a Mail.Send role: fine with RBAC for Applications ("Application Mail.Send"), which Graph checks next',
    });
  }

  deps.onProgress?.('graph-send');
  const mailbox = r.user;
  const url = `${endpoint}/v1.0/users/${encodeURIComponent(mailbox)}/sendMail`;
  const to = input.graph?.sendTest;
  const body = to
    ? JSON.stringify({ message: { subject: 'Mail OAuth Migrator: Graph sendMail test', body: { contentType: 'Text', content: 'Sent by mail-oauth-migrate verify --send-test.' }, toRecipients: [{ emailAddress: { address: to } }] }, saveToSentItems: false })
    : '{}';
  try {
    const reply = await post(url, token, body, r.ca, r.timeoutMs);
    if (to && reply.status === 202) {
      steps.push({ name: 'graph-send', ok: true, detail: `sent a test message from ${mailbox} to ${to}` });
    } else if (!to && reply.status === 400) {
      steps.push({ name: 'graph-send', ok: true, detail: `Graph lets this app send as ${mailbox} (checked with an empty request, refused as empty: nothing was sent)` });
    } else {
      steps.push({ name: 'graph-send', ok: false, ...explainGraphRefusal(reply, mailbox) });
    }
  } catch (e) {
    steps.push({ name: 'graph-send', ok: false, detail: `cannot reach ${endpoint}: ${(e as Error).message}`, remedy: 'Check the network path to Microsoft Graph (proxy, firewall) or --graph-endpoint.' });
  }
  return finish();
}
