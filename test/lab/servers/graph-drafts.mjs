// Microsoft Graph's route for messages over the 4 MB request limit (outlook-large-attachments): a draft, its
// attachments (a fileAttachment under 3 MB in one POST; 3 to 150 MB through an upload session whose URL takes the
// bytes in ordered chunks of at most 4 MB, without an Authorization header), then send. Part of the Graph stand-in
// (graph.mjs), which gives it the token check, the body reader, the error shape and the delivery.
import crypto from 'node:crypto';

const MB = 1024 * 1024;
const UPLOAD_MIN = 3 * MB;
const UPLOAD_MAX = 150 * MB;
const CHUNK_MAX = 4 * MB;
const READ_WRITE = { app: 'Mail.ReadWrite', user: 'Mail.ReadWrite' };

export function createDrafts({ authorize, readBody, reply, graphError, send, uploadBase, log }) {
  const drafts = new Map(); // id -> { mailbox, message, attachments }
  const sessions = new Map(); // token -> { draft, name, contentType, isInline, contentId, size, chunks, received }

  const json = async (req, res) => {
    const text = await readBody(req);
    if (text === null) {
      graphError(res, 413, 'RequestEntityTooLarge', 'The request is larger than 4 MB; use an upload session for large attachments.');
      return undefined;
    }
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      graphError(res, 400, 'BadRequest', 'Unable to read JSON request payload.');
      return undefined;
    }
  };

  /** The draft of this mailbox, or a 404 as Graph gives it. */
  const draftOf = (res, who, id) => {
    const d = drafts.get(id);
    if (!d || d.mailbox !== who.mailbox) {
      graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      return undefined;
    }
    return d;
  };

  async function upload(req, res, token) {
    const s = sessions.get(token);
    if (!s) return graphError(res, 404, 'ErrorItemNotFound', 'The upload session was not found or has expired.');
    if (req.headers.authorization)
      return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure: the upload URL carries its own token; send no Authorization header.');
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] || ''));
    const chunks = [];
    let n = 0;
    for await (const c of req) {
      n += c.length;
      if (n > CHUNK_MAX) return graphError(res, 413, 'RequestEntityTooLarge', 'An upload chunk is larger than 4 MB.');
      chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    if (!range || Number(range[3]) !== s.size || Number(range[1]) !== s.received || Number(range[2]) - Number(range[1]) + 1 !== body.length)
      return graphError(res, 416, 'InvalidRange', `The Content-Range does not follow the bytes received; expected bytes ${s.received}-.`);
    s.chunks.push(body);
    s.received += body.length;
    if (s.received < s.size) {
      return reply(res, 200, { expirationDateTime: s.expires, nextExpectedRanges: [`${s.received}-`] });
    }
    sessions.delete(token);
    const content = Buffer.concat(s.chunks);
    s.draft.attachments.push({
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: s.name,
      contentType: s.contentType,
      isInline: s.isInline,
      contentId: s.contentId,
      contentBytes: content.toString('base64'),
    });
    log(`upload session complete: ${s.name} ${content.length} bytes`);
    return reply(res, 201, undefined, { location: `${uploadBase()}/done/${token}` });
  }

  /** Serves the request when it is for a draft or an upload session: true when it did. */
  async function handle(req, res, url) {
    const up = /^\/_upload\/([\w-]+)$/.exec(url.pathname);
    const m = /^\/v1\.0\/users\/([^/]+)\/messages(?:\/([^/]+)(?:\/(send|attachments|attachments\/createUploadSession))?)?$/i.exec(url.pathname);
    if (up && req.method === 'PUT') await upload(req, res, up[1]);
    else if (m) await route(req, res, url, m);
    else return false;
    return true;
  }

  async function route(req, res, url, m) {
    const target = decodeURIComponent(m[1]).toLowerCase();
    const [id, action] = [m[2] && decodeURIComponent(m[2]), m[3]];
    // sending a draft is Mail.Send; making and changing one, Mail.ReadWrite
    const who = await authorize(req, target, action === 'send' ? undefined : READ_WRITE);
    if (!who.mailbox) {
      log(`messages ${target} -> ${who.status} ${who.code}`);
      return graphError(res, who.status, who.code, who.message);
    }
    if (!id && req.method === 'POST') {
      const message = await json(req, res);
      if (!message) return undefined;
      const newId = `AAMk${crypto.randomBytes(12).toString('base64url')}`;
      const { attachments = [], ...rest } = message;
      drafts.set(newId, { mailbox: who.mailbox, message: rest, attachments: [...attachments] });
      log(`draft ${newId} created for ${who.mailbox}`);
      return reply(res, 201, { id: newId, isDraft: true, ...rest });
    }
    const draft = id && draftOf(res, who, id);
    if (!draft) return undefined;
    if (!action && req.method === 'DELETE') {
      drafts.delete(id);
      return reply(res, 204);
    }
    if (action === 'attachments' && req.method === 'POST') {
      const a = await json(req, res);
      if (!a) return undefined;
      if (a['@odata.type'] !== '#microsoft.graph.fileAttachment')
        return graphError(res, 400, 'ErrorInvalidAttachmentType', 'Only file attachments are supported by the lab.');
      draft.attachments.push(a);
      return reply(res, 201, { id: crypto.randomUUID(), name: a.name, size: Buffer.from(a.contentBytes || '', 'base64').length });
    }
    if (action?.toLowerCase() === 'attachments/createuploadsession' && req.method === 'POST') {
      const body = await json(req, res);
      if (!body) return undefined;
      const item = body.AttachmentItem || {};
      const size = Number(item.size);
      if (item.attachmentType !== 'file' || !item.name || !Number.isInteger(size))
        return graphError(res, 400, 'ErrorInvalidRequest', 'AttachmentItem needs attachmentType "file", a name and a size.');
      if (size < UPLOAD_MIN)
        return graphError(res, 400, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize', 'Attachment size must be greater than the minimum size.');
      if (size > UPLOAD_MAX)
        return graphError(res, 400, 'ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize', 'Attachment size must be less than 150 MB.');
      const token = crypto.randomBytes(16).toString('hex');
      const expires = new Date(Date.now() + 15 * 60 * 1000).toISOString();
      sessions.set(token, { draft, name: item.name, contentType: item.contentType, isInline: !!item.isInline, contentId: item.contentId, size, chunks: [], received: 0, expires });
      return reply(res, 201, { uploadUrl: `${uploadBase()}/${token}`, expirationDateTime: expires, nextExpectedRanges: ['0-'] });
    }
    if (action === 'send' && req.method === 'POST') {
      drafts.delete(id);
      log(`draft ${id} sent by ${who.mailbox} with ${draft.attachments.length} attachment(s)`);
      return send(res, who, draft);
    }
    return graphError(res, 405, 'ErrorInvalidRequest', `The OData request is not supported: ${req.method} ${url.pathname}`);
  }

  return { handle };
}
