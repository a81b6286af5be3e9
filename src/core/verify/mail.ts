/**
 * Minimal SMTP / IMAP / POP3 clients over node:net and node:tls, just enough to connect, upgrade
 * with STARTTLS, log in with SASL XOAUTH2, (SMTP) test MAIL FROM, and log out. They never log what
 * they send; callers get server replies only.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Protocol } from '../model';

export interface ConnectOptions {
  host: string;
  port: number;
  tls: 'implicit' | 'starttls';
  /** TLS server name (SNI and certificate check); default: the host unless it is an IP address. */
  servername?: string;
  /** Extra trusted CA certificates (PEM), in addition to Node's roots. */
  ca?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** An error with a code the explainers know (VERIFY_TIMEOUT, ECLOSED, or Node's own). */
export class ConnError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Line-oriented connection that can be upgraded to TLS in place. */
export class LineConn {
  private socket: net.Socket;
  private buf = '';
  private lines: string[] = [];
  private waiter: { resolve: (l: string) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private readonly onData = (d: Buffer): void => this.push(d);
  private readonly onError = (e: Error): void => this.fail(e);
  private readonly onClose = (): void =>
    this.fail(new ConnError('the server closed the connection', 'ECLOSED'));
  private readonly onAbort = (): void =>
    this.fail(Object.assign(new Error('cancelled'), { name: 'AbortError', code: 'ABORT_ERR' }));

  private constructor(
    socket: net.Socket,
    private readonly opts: ConnectOptions,
  ) {
    this.socket = socket;
    this.attach();
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Opens TCP (and TLS for implicit mode); resolves once connected / handshaken. */
  static open(opts: ConnectOptions): Promise<LineConn> {
    return new Promise<LineConn>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
        return;
      }
      const socket =
        opts.tls === 'implicit'
          ? tls.connect({ host: opts.host, port: opts.port, ...tlsOptions(opts) })
          : net.connect({ host: opts.host, port: opts.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnError(`timed out connecting to ${opts.host}:${opts.port}`, 'VERIFY_TIMEOUT'));
      }, opts.timeoutMs);
      const done = (err?: Error): void => {
        clearTimeout(timer);
        socket.off('error', done);
        opts.signal?.removeEventListener('abort', abort);
        if (err) {
          socket.destroy();
          reject(err);
        } else {
          resolve(new LineConn(socket, opts));
        }
      };
      const abort = (): void => done(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
      opts.signal?.addEventListener('abort', abort, { once: true });
      socket.once('error', done);
      socket.once(opts.tls === 'implicit' ? 'secureConnect' : 'connect', () => done());
    });
  }

  get isTls(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** TLS version and cipher, for the step detail. */
  tlsSummary(): string {
    if (!(this.socket instanceof tls.TLSSocket)) {
      return 'no TLS';
    }
    const cert = this.socket.getPeerCertificate();
    const cn = cert && typeof cert.subject?.CN === 'string' ? `, certificate ${cert.subject.CN}` : '';
    return `${this.socket.getProtocol() ?? 'TLS'} ${this.socket.getCipher()?.name ?? ''}${cn}`.replace(
      /\s+,/,
      ',',
    );
  }

  private attach(): void {
    this.socket.on('data', this.onData);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
  }

  private detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
  }

  private push(d: Buffer): void {
    this.buf += d.toString('utf8');
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(line);
      } else {
        this.lines.push(line);
      }
    }
  }

  private fail(e: Error): void {
    if (!this.failure) {
      this.failure = e;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(this.failure);
    }
  }

  /** The next line from the server (without CRLF). */
  readLine(what: string): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) {
      return Promise.resolve(queued);
    }
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(
          new ConnError(
            `no reply ${what} within ${Math.round(this.opts.timeoutMs / 1000)} s`,
            'VERIFY_TIMEOUT',
          ),
        );
      }, this.opts.timeoutMs);
      this.waiter = {
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  write(line: string): void {
    if (this.failure) {
      throw this.failure;
    }
    this.socket.write(`${line}\r\n`);
  }

  /** Upgrades the plain connection to TLS (after the server agreed to STARTTLS / STLS). */
  startTls(): Promise<void> {
    this.detach();
    // Anything the server sent before the handshake is discarded (STARTTLS command injection).
    this.buf = '';
    this.lines = [];
    const plain = this.socket;
    // Errors surface on the TLS socket; keep a stray one on the raw socket from becoming uncaught.
    plain.on('error', () => undefined);
    return new Promise<void>((resolve, reject) => {
      const secure = tls.connect({ socket: plain, host: this.opts.host, ...tlsOptions(this.opts) });
      const timer = setTimeout(() => {
        secure.destroy();
        reject(new ConnError('timed out in the TLS handshake', 'VERIFY_TIMEOUT'));
      }, this.opts.timeoutMs);
      secure.once('error', (e: Error) => {
        clearTimeout(timer);
        secure.destroy();
        reject(e);
      });
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        secure.removeAllListeners('error');
        this.socket = secure;
        this.attach();
        resolve();
      });
    });
  }

  close(): void {
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.detach();
    this.socket.on('error', () => undefined);
    this.socket.destroy();
  }

  /** True once the server closed the connection (or it failed). */
  get closed(): boolean {
    return this.failure !== undefined || this.socket.destroyed;
  }
}

function tlsOptions(o: ConnectOptions): tls.ConnectionOptions {
  const servername = o.servername ?? (net.isIP(o.host) ? undefined : o.host);
  return {
    servername,
    minVersion: 'TLSv1.2',
    ...(o.ca ? { ca: [...tls.rootCertificates, o.ca] } : {}),
  };
}

/** The SASL XOAUTH2 initial response. */
export function xoauth2(user: string, token: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
}

// ---------------------------------------------------------------------------------------------

export interface Outcome {
  ok: boolean;
  /** The server's reply line(s) that decided it. */
  reply: string;
}

/** What verify needs from each protocol. */
export interface MailSession {
  /** Greeting, TLS (implicit or STARTTLS), capabilities; returns a summary for the step detail. */
  connect(): Promise<string>;
  /** Whether the server advertised AUTH XOAUTH2 (undefined: it does not say). */
  offersXoauth2(): boolean | undefined;
  authenticate(sasl: string): Promise<Outcome>;
  /** SMTP only: MAIL FROM then RSET. */
  mailFrom?(from: string): Promise<Outcome>;
  logout(): Promise<Outcome>;
  close(): void;
}

const EHLO_NAME = 'localhost';

abstract class Base {
  protected conn: LineConn | undefined;
  constructor(protected readonly opts: ConnectOptions) {}

  protected get c(): LineConn {
    if (!this.conn) {
      throw new ConnError('not connected', 'ECLOSED');
    }
    return this.conn;
  }

  protected async open(): Promise<void> {
    this.conn = await LineConn.open(this.opts);
  }

  close(): void {
    this.conn?.close();
  }

  /** Sends the logout command; a connection the server already closed counts as logged out. */
  protected async bye(
    cmd: string,
    read: () => Promise<string>,
    good: (r: string) => boolean,
  ): Promise<Outcome> {
    if (!this.conn || this.conn.closed) {
      return { ok: true, reply: '(the server had already closed the connection)' };
    }
    try {
      this.c.write(cmd);
      const r = await read();
      return { ok: good(r), reply: r };
    } catch (e) {
      if ((e as ConnError).code === 'ECLOSED') {
        return { ok: true, reply: '(connection closed)' };
      }
      throw e;
    }
  }
}

class SmtpSession extends Base implements MailSession {
  private ehlo: string[] = [];

  /** A full (possibly multi-line) SMTP reply. */
  private async reply(what: string): Promise<string> {
    const lines: string[] = [];
    for (;;) {
      const l = await this.c.readLine(what);
      lines.push(l);
      if (!/^\d{3}-/.test(l)) {
        return lines.join('\n');
      }
    }
  }

  private async hello(): Promise<string> {
    this.c.write(`EHLO ${EHLO_NAME}`);
    const r = await this.reply('to EHLO');
    if (!r.startsWith('250')) {
      throw new ConnError(`EHLO refused: ${r}`, 'EPROTO_REPLY');
    }
    this.ehlo = r.split('\n').map((l) => l.slice(4).trim());
    return r;
  }

  async connect(): Promise<string> {
    await this.open();
    const greeting = await this.reply('to the connection (greeting)');
    if (!greeting.startsWith('220')) {
      throw new ConnError(`the server refused the session: ${greeting}`, 'EPROTO_REPLY');
    }
    await this.hello();
    if (this.opts.tls === 'starttls') {
      if (!this.ehlo.some((l) => /^STARTTLS\b/i.test(l))) {
        throw new ConnError('the server does not offer STARTTLS', 'ENOSTARTTLS');
      }
      this.c.write('STARTTLS');
      const r = await this.reply('to STARTTLS');
      if (!r.startsWith('220')) {
        throw new ConnError(`STARTTLS refused: ${r}`, 'ENOSTARTTLS');
      }
      await this.c.startTls();
      await this.hello();
    }
    const auth = this.ehlo.find((l) => /^AUTH[ =]/i.test(l));
    return `${this.c.tlsSummary()}; ${auth ? auth.replace(/^AUTH[ =]/i, 'AUTH ') : 'no AUTH offered'}`;
  }

  offersXoauth2(): boolean {
    return this.ehlo.some((l) => /^AUTH[ =].*\bXOAUTH2\b/i.test(l));
  }

  async authenticate(sasl: string): Promise<Outcome> {
    this.c.write(`AUTH XOAUTH2 ${sasl}`);
    let r = await this.reply('to AUTH XOAUTH2');
    if (r.startsWith('334')) {
      // Error details as a base64 JSON challenge; an empty line ends the exchange with the final reply.
      this.c.write('');
      r = await this.reply('to the end of AUTH XOAUTH2');
    }
    return { ok: r.startsWith('235'), reply: r };
  }

  async mailFrom(from: string): Promise<Outcome> {
    this.c.write(`MAIL FROM:<${from}>`);
    const r = await this.reply('to MAIL FROM');
    const ok = r.startsWith('250');
    if (ok) {
      this.c.write('RSET');
      const rs = await this.reply('to RSET');
      if (!rs.startsWith('250')) {
        return { ok: false, reply: rs };
      }
    }
    return { ok, reply: r };
  }

  logout(): Promise<Outcome> {
    return this.bye(
      'QUIT',
      () => this.reply('to QUIT'),
      (r) => r.startsWith('221'),
    );
  }
}

class ImapSession extends Base implements MailSession {
  private caps: string[] = [];
  private n = 0;

  /** Sends a tagged command; `onContinue` answers '+' continuations. Returns the tagged reply and untagged lines. */
  private async command(
    cmd: string,
    what: string,
    onContinue?: (line: string) => string,
  ): Promise<{ tagged: string; untagged: string[] }> {
    const tag = `V${++this.n}`;
    this.c.write(`${tag} ${cmd}`);
    const untagged: string[] = [];
    for (;;) {
      const l = await this.c.readLine(what);
      if (l.startsWith(`${tag} `)) {
        return { tagged: l.slice(tag.length + 1), untagged };
      }
      if (l.startsWith('+')) {
        this.c.write(onContinue ? onContinue(l) : '');
        continue;
      }
      untagged.push(l);
      if (/^\* BYE\b/i.test(l) && !/^LOGOUT/i.test(cmd)) {
        return { tagged: l, untagged };
      }
    }
  }

  private async capability(): Promise<void> {
    const r = await this.command('CAPABILITY', 'to CAPABILITY');
    const line = r.untagged.find((l) => /^\* CAPABILITY /i.test(l));
    this.caps = line ? line.slice('* CAPABILITY '.length).split(' ') : [];
  }

  async connect(): Promise<string> {
    await this.open();
    const greeting = await this.c.readLine('to the connection (greeting)');
    if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) {
      throw new ConnError(`the server refused the session: ${greeting}`, 'EPROTO_REPLY');
    }
    await this.capability();
    if (this.opts.tls === 'starttls') {
      if (!this.caps.some((c) => c.toUpperCase() === 'STARTTLS')) {
        throw new ConnError('the server does not offer STARTTLS', 'ENOSTARTTLS');
      }
      const r = await this.command('STARTTLS', 'to STARTTLS');
      if (!/^OK\b/i.test(r.tagged)) {
        throw new ConnError(`STARTTLS refused: ${r.tagged}`, 'ENOSTARTTLS');
      }
      await this.c.startTls();
      await this.capability();
    }
    const auth = this.caps.filter((c) => /^AUTH=/i.test(c));
    return `${this.c.tlsSummary()}; ${auth.length ? auth.join(' ') : 'no AUTH= capability'}`;
  }

  offersXoauth2(): boolean {
    return this.caps.some((c) => c.toUpperCase() === 'AUTH=XOAUTH2');
  }

  async authenticate(sasl: string): Promise<Outcome> {
    const saslIr = this.caps.some((c) => c.toUpperCase() === 'SASL-IR');
    let sent = saslIr;
    // A '+' after the initial response carries error details; an empty line ends the exchange.
    const r = await this.command(
      saslIr ? `AUTHENTICATE XOAUTH2 ${sasl}` : 'AUTHENTICATE XOAUTH2',
      'to AUTHENTICATE XOAUTH2',
      () => {
        if (!sent) {
          sent = true;
          return sasl;
        }
        return '';
      },
    );
    return { ok: /^OK\b/i.test(r.tagged), reply: r.tagged };
  }

  logout(): Promise<Outcome> {
    const tag = `V${++this.n}`;
    return this.bye(
      `${tag} LOGOUT`,
      async () => {
        for (;;) {
          const l = await this.c.readLine('to LOGOUT');
          if (l.startsWith(`${tag} `)) {
            return l.slice(tag.length + 1);
          }
        }
      },
      (r) => /^OK\b/i.test(r),
    );
  }
}

class Pop3Session extends Base implements MailSession {
  private sasl: string[] | undefined;

  async connect(): Promise<string> {
    await this.open();
    const greeting = await this.c.readLine('to the connection (greeting)');
    if (!greeting.startsWith('+OK')) {
      throw new ConnError(`the server refused the session: ${greeting}`, 'EPROTO_REPLY');
    }
    if (this.opts.tls === 'starttls') {
      this.c.write('STLS');
      const r = await this.c.readLine('to STLS');
      if (!r.startsWith('+OK')) {
        throw new ConnError(`STLS refused: ${r}`, 'ENOSTARTTLS');
      }
      await this.c.startTls();
    }
    await this.capa();
    return `${this.c.tlsSummary()}; ${this.sasl ? `SASL ${this.sasl.join(' ')}` : 'no SASL capability listed'}`;
  }

  private async capa(): Promise<void> {
    this.c.write('CAPA');
    const first = await this.c.readLine('to CAPA');
    if (!first.startsWith('+OK')) {
      return;
    }
    for (;;) {
      const l = await this.c.readLine('to CAPA');
      if (l === '.') {
        return;
      }
      if (/^SASL\b/i.test(l)) {
        this.sasl = l.split(/\s+/).slice(1);
      }
    }
  }

  offersXoauth2(): boolean | undefined {
    return this.sasl ? this.sasl.some((m) => m.toUpperCase() === 'XOAUTH2') : undefined;
  }

  async authenticate(sasl: string): Promise<Outcome> {
    this.c.write('AUTH XOAUTH2');
    const go = await this.c.readLine('to AUTH XOAUTH2');
    if (!go.startsWith('+') || go.startsWith('+OK')) {
      return { ok: false, reply: go };
    }
    this.c.write(sasl);
    let r = await this.c.readLine('to the XOAUTH2 response');
    if (r.startsWith('+') && !r.startsWith('+OK')) {
      // "+ <base64 JSON>": the login failed; an empty line ends the exchange with the -ERR.
      this.c.write('');
      r = await this.c.readLine('to the end of AUTH XOAUTH2');
    }
    if (!r.startsWith('+OK')) {
      return { ok: false, reply: r };
    }
    // Prove the session is authenticated (a failed AUTH would make NOOP fail).
    this.c.write('NOOP');
    const noop = await this.c.readLine('to NOOP');
    return noop.startsWith('+OK') ? { ok: true, reply: r } : { ok: false, reply: noop };
  }

  logout(): Promise<Outcome> {
    return this.bye(
      'QUIT',
      () => this.c.readLine('to QUIT'),
      (r) => r.startsWith('+OK'),
    );
  }
}

export function createSession(protocol: Protocol, opts: ConnectOptions): MailSession {
  switch (protocol) {
    case 'smtp':
      return new SmtpSession(opts);
    case 'imap':
      return new ImapSession(opts);
    case 'pop3':
      return new Pop3Session(opts);
  }
}
