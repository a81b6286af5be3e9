// Local stand-in for Microsoft Graph's sendMail (https://graph.microsoft.com), HTTPS on 127.0.0.1.
//   POST /v1.0/users/{id | userPrincipalName}/sendMail   (app-only or delegated token)
//   POST /v1.0/me/sendMail                                (delegated token)
//   drafts and upload sessions for large messages: graph-drafts.mjs
// Body: JSON { message: {...}, saveToSentItems } with Content-Type application/json, or a base64-encoded MIME
// message with Content-Type text/plain (Graph's "send in MIME format"). Success: 202 with an empty body.
// The token is checked as Graph does it: RS256 from the lab authority, aud https://graph.microsoft.com, not expired;
// app tokens need the Mail.Send role and may only send as a mailbox the app is scoped to (lab.config.json
// mailbox/mailboxes: stands in for RBAC for Applications / an application access policy); delegated tokens need
// the Mail.Send scope and send as the signed-in user. The message's From must be that mailbox (no SendAs here).
// Error bodies have Graph's shape { error: { code, message } }; the codes and messages follow Graph's documented
// and commonly reported ones (ErrorAccessDenied, ErrorInvalidUser, InvalidAuthenticationToken, ...).
// Accepted messages go to run/outbox/graph-*.eml (+ .json with the request facts) and to lab users' Maildirs.
// The authority's graphTokenAudience fault (lib/faults.mjs) gives tokens of another audience, to see Graph refuse them.
// Faults: LAB_GRAPH_THROTTLE=N answers the first N sendMail requests with 429 + Retry-After (LAB_GRAPH_RETRY_AFTER,
// default 1 s); POST /_lab/graph/throttle {"count": N} sets it at run time.
import https from 'node:https';
import crypto from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import {
  lab,
  HOST,
  ports,
  TLS_CERT,
  TLS_KEY,
  RUN_DIR,
  AUTHORITY,
  ISSUER,
  GRAPH_RESOURCE,
  PERMISSIONS,
} from '../lib/config.mjs';
import { deliver } from '../lib/deliver.mjs';
import { exitOnSignals } from '../lib/serve.mjs';
import { createDrafts } from './graph-drafts.mjs';

const log = (...a) => console.log(new Date().toISOString(), '[graph]', ...a);
const jwks = createRemoteJWKSet(new URL(`${AUTHORITY}/discovery/v2.0/keys`), { cooldownDuration: 0 });
const apps = new Map(lab.apps.map((a) => [a.clientId, a]));
const users = new Set(lab.users.map((u) => u.toLowerCase()));
const outbox = path.join(RUN_DIR, 'outbox');
mkdirSync(outbox, { recursive: true });
const MAX_BODY = 4 * 1024 * 1024; // Graph's request size limit
let throttleLeft = Number(process.env.LAB_GRAPH_THROTTLE || 0);
const retryAfter = String(process.env.LAB_GRAPH_RETRY_AFTER || 1);

function reply(res, status, body, headers = {}) {
  res.writeHead(status, {
    'request-id': crypto.randomUUID(),
    'client-request-id': crypto.randomUUID(),
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...headers,
  });
  res.end(body ? JSON.stringify(body) : undefined);
}
const graphError = (res, status, code, message, headers) =>
  reply(
    res,
    status,
    {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString(), 'request-id': crypto.randomUUID() },
      },
    },
    headers,
  );

// Which mailbox may this token send as, or why not.
async function authorize(req, target, permission = PERMISSIONS.graph) {
  const h = req.headers.authorization || '';
  if (!h.startsWith('Bearer ') || h.length < 8)
    return { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token is empty.' };
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(h.slice(7), jwks, { issuer: ISSUER, algorithms: ['RS256'] }));
  } catch (e) {
    const expired = e.code === 'ERR_JWT_EXPIRED';
    return {
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: expired
        ? 'Lifetime validation failed, the token is expired.'
        : 'Access token validation failure.',
    };
  }
  if (claims.aud !== GRAPH_RESOURCE && claims.aud !== '00000003-0000-0000-c000-000000000000') {
    return {
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure. Invalid audience.',
    };
  }
  if (claims.idtyp === 'app') {
    const app = apps.get(claims.appid);
    if (!app)
      return { status: 401, code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' };
    if (!(claims.roles || []).includes(permission.app))
      return {
        status: 403,
        code: 'ErrorAccessDenied',
        message: 'Access is denied. Check credentials and try again.',
      };
    if (target === 'me')
      return {
        status: 400,
        code: 'BadRequest',
        message: '/me request is only valid with delegated authentication flow.',
      };
    if (!users.has(target))
      return { status: 404, code: 'ErrorInvalidUser', message: `The requested user '${target}' is invalid.` };
    const scoped = [app.mailbox, ...(app.mailboxes || [])].filter(Boolean).map((m) => m.toLowerCase());
    if (!scoped.includes(target))
      return {
        status: 403,
        code: 'ErrorAccessDenied',
        message:
          'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
      };
    return { mailbox: target, kind: 'app', appid: claims.appid };
  }
  if (
    !String(claims.scp || '')
      .split(' ')
      .includes(permission.user)
  )
    return {
      status: 403,
      code: 'ErrorAccessDenied',
      message: 'Access is denied. Check credentials and try again.',
    };
  const upn = String(claims.upn || claims.preferred_username || '').toLowerCase();
  const mailbox = target === 'me' ? upn : target;
  if (!users.has(mailbox))
    return { status: 404, code: 'ErrorInvalidUser', message: `The requested user '${mailbox}' is invalid.` };
  if (mailbox !== upn)
    return {
      status: 403,
      code: 'ErrorAccessDenied',
      message: 'Access is denied. Check credentials and try again.',
    };
  return { mailbox, kind: 'user', appid: claims.appid };
}

const addresses = (list) => (list || []).map((r) => r?.emailAddress?.address).filter(Boolean);

// Graph's JSON message -> MIME (what Exchange would submit).
async function mimeFromJson(message, mailbox) {
  const attachments = (message.attachments || []).map((a) => {
    if (a['@odata.type'] !== '#microsoft.graph.fileAttachment')
      throw Object.assign(new Error('Only file attachments are supported by the lab.'), {
        code: 'ErrorInvalidAttachmentType',
      });
    return {
      filename: a.name,
      contentType: a.contentType,
      content: Buffer.from(a.contentBytes || '', 'base64'),
      cid: a.isInline ? a.contentId : undefined,
    };
  });
  const body = message.body || {};
  const from = message.from?.emailAddress?.address || mailbox;
  const mail = new MailComposer({
    from,
    to: addresses(message.toRecipients),
    cc: addresses(message.ccRecipients),
    bcc: addresses(message.bccRecipients),
    replyTo: addresses(message.replyTo),
    subject: message.subject || '',
    ...(String(body.contentType || 'text').toLowerCase() === 'html'
      ? { html: body.content || '' }
      : { text: body.content || '' }),
    attachments,
    keepBcc: true,
  });
  const raw = await mail.compile().build();
  return {
    raw,
    from,
    rcpts: [
      ...addresses(message.toRecipients),
      ...addresses(message.ccRecipients),
      ...addresses(message.bccRecipients),
    ],
  };
}

// base64 MIME -> recipients and From from its headers (enough for routing in the lab).
function mimeFromBase64(text) {
  const compact = text.replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
    throw Object.assign(new Error('Invalid base64 string for MIME content.'), {
      code: 'ErrorMimeContentInvalidBase64String',
    });
  const raw = Buffer.from(compact, 'base64');
  const head = raw
    .toString('latin1')
    .split(/\r?\n\r?\n/)[0]
    .replace(/\r?\n[ \t]+/g, ' ');
  const header = (name) =>
    head
      .split(/\r?\n/)
      .filter((l) => l.toLowerCase().startsWith(`${name}:`))
      .map((l) => l.slice(name.length + 1))
      .join(', ');
  const emails = (s) => [...s.matchAll(/[^\s<>,;"]+@[^\s<>,;"]+/g)].map((m) => m[0].toLowerCase());
  const from = emails(header('from'))[0];
  const rcpts = [...emails(header('to')), ...emails(header('cc')), ...emails(header('bcc'))];
  if (!from || !rcpts.length)
    throw Object.assign(new Error('The MIME content is invalid: it needs From and at least one recipient.'), {
      code: 'ErrorMimeContentInvalid',
    });
  return { raw, from, rcpts };
}

async function readBody(req) {
  const chunks = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > MAX_BODY) return null;
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function sendMail(req, res, target) {
  if (throttleLeft > 0) {
    throttleLeft--;
    return graphError(res, 429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', {
      'retry-after': retryAfter,
    });
  }
  const who = await authorize(req, target);
  if (!who.mailbox) {
    log(`sendMail ${target} -> ${who.status} ${who.code}`);
    return graphError(res, who.status, who.code, who.message);
  }
  const text = await readBody(req);
  if (text === null)
    return graphError(
      res,
      413,
      'RequestEntityTooLarge',
      'The request is larger than 4 MB; use an upload session for large attachments.',
    );
  const type = String(req.headers['content-type'] || '').toLowerCase();
  let msg;
  let saveToSentItems = true;
  try {
    if (type.startsWith('text/plain')) msg = mimeFromBase64(text);
    else if (type.startsWith('application/json')) {
      const body = JSON.parse(text);
      if (!body?.message)
        throw Object.assign(new Error('Empty Payload. JSON content expected.'), {
          code: 'ErrorInvalidRequest',
        });
      saveToSentItems = body.saveToSentItems !== false;
      msg = await mimeFromJson(body.message, who.mailbox);
    } else
      throw Object.assign(
        new Error(
          `Content type '${type || '(none)'}' is not supported: use application/json or text/plain (base64 MIME).`,
        ),
        { code: 'UnsupportedMediaType' },
      );
  } catch (e) {
    log(`sendMail ${who.mailbox} -> 400 ${e.code || 'BadRequest'}: ${e.message}`);
    return graphError(res, 400, e.code || 'BadRequest', e.message);
  }
  return accept(res, who, msg, type.startsWith('text/plain') ? 'mime' : 'json', saveToSentItems);
}

// A message Exchange would submit: From must be the mailbox; written to the outbox and delivered to lab users.
function accept(res, who, msg, format, saveToSentItems) {
  if (msg.from.toLowerCase() !== who.mailbox) {
    return graphError(
      res,
      403,
      'ErrorSendAsDenied',
      'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.',
    );
  }
  const id = `graph-${Date.now()}-${crypto.randomBytes(4).toString('hex')}`;
  writeFileSync(path.join(outbox, `${id}.eml`), msg.raw);
  writeFileSync(
    path.join(outbox, `${id}.json`),
    JSON.stringify({
      via: 'graph',
      mailbox: who.mailbox,
      kind: who.kind,
      appid: who.appid,
      format,
      from: msg.from,
      to: msg.rcpts,
      saveToSentItems,
      bytes: msg.raw.length,
    }),
  );
  for (const r of msg.rcpts) if (users.has(r.toLowerCase())) deliver(r, msg.raw);
  log(
    `sendMail accepted ${id} mailbox=${who.mailbox} (${who.kind} token) to=${msg.rcpts.join(',')} bytes=${msg.raw.length}`,
  );
  return reply(res, 202);
}

// Drafts for messages over 4 MB (Graph's outlook-large-attachments flow): POST /users/{u}/messages (the draft),
// POST …/messages/{id}/attachments (a fileAttachment under 3 MB), POST …/attachments/createUploadSession (3 to
// 150 MB; answers an uploadUrl here, on /_upload/{token}), PUT chunks to it (Content-Range, at most 4 MB each, in
// order, no Authorization header: Graph answers 401 to one), POST …/messages/{id}/send (202), DELETE the draft.
// Drafts need Mail.ReadWrite (role or scope) besides the mailbox scope; sending one, Mail.Send.
const drafts = createDrafts({
  authorize,
  readBody,
  reply,
  graphError,
  send: async (res, who, draft) => {
    let msg;
    try {
      msg = await mimeFromJson({ ...draft.message, attachments: draft.attachments }, who.mailbox);
    } catch (e) {
      return graphError(res, 400, e.code || 'BadRequest', e.message);
    }
    return accept(res, who, msg, 'draft', true);
  },
  uploadBase: () => `https://${HOST}:${ports.graph}/_upload`,
  log,
});

const server = https.createServer(
  { cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY) },
  async (req, res) => {
    const url = new URL(req.url, `https://${req.headers.host || HOST}`);
    try {
      if (req.method === 'GET' && url.pathname === '/_lab/health') return reply(res, 200, { ok: true });
      if (req.method === 'POST' && url.pathname === '/_lab/graph/throttle') {
        throttleLeft = Number(JSON.parse((await readBody(req)) || '{}').count || 0);
        return reply(res, 200, { throttleLeft });
      }
      const m = /^\/v1\.0\/(?:users\/([^/]+)|(me))\/sendMail$/i.exec(url.pathname);
      if (m && req.method === 'POST')
        return await sendMail(req, res, m[2] ? 'me' : decodeURIComponent(m[1]).toLowerCase());
      if (await drafts.handle(req, res, url)) return;
      return graphError(
        res,
        400,
        'BadRequest',
        `Resource not found for the segment '${url.pathname.split('/').pop()}'.`,
      );
    } catch (e) {
      log('ERROR', e.stack || e);
      return graphError(res, 500, 'generalException', String(e.message || e));
    }
  },
);
server.listen(ports.graph, HOST, () =>
  log(`listening on https://${HOST}:${ports.graph} (stands in for ${GRAPH_RESOURCE})`),
);
exitOnSignals(server, log);
