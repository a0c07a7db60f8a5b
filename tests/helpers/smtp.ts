/**
 * A real SMTP server for tests (`smtp-server`), parsing what it receives with `mailparser`. It can be
 * down (its port closed), refuse (a 4xx or 5xx answer to the message), or be slow (a late greeting,
 * a late answer to the message), and can be stopped and started again on the same port. With `tls`
 * it offers STARTTLS or speaks TLS from the start, with the certificate given (see testCertificates).
 */
import { createServer } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer } from 'smtp-server';

export interface SmtpBehaviour {
  /** Answer the message with this code (4xx temporary, 5xx permanent) instead of accepting it. */
  reject?: { code: number; message: string } | null;
  /** Wait this long before the greeting (a slow server). */
  greetingDelayMs?: number;
  /** Wait this long before answering the message. */
  dataDelayMs?: number;
}

export interface TestSmtp {
  readonly port: number;
  readonly running: boolean;
  /** Messages accepted, parsed, in the order they arrived. */
  received: ParsedMail[];
  /** Every message that reached the DATA stage, accepted or not. */
  attempts: number;
  connections: number;
  /** For each message that reached DATA: whether its session was encrypted (TLS from the start, or after STARTTLS). */
  secureSessions: boolean[];
  behaviour: SmtpBehaviour;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once `count` messages were accepted. */
  waitForMessages(count: number): Promise<ParsedMail[]>;
}

/** A port that was free a moment ago (for a server that is "down" until it starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A server with a certificate: `starttls` offers STARTTLS on a plain connection, `implicit` speaks TLS
 * from the first byte (port 465 style). `key` and `cert` are PEM.
 */
export interface SmtpTls { mode: 'starttls' | 'implicit'; key: string; cert: string }

export async function createTestSmtp(options: { port?: number; start?: boolean; behaviour?: SmtpBehaviour; tls?: SmtpTls } = {}): Promise<TestSmtp> {
  const port = options.port ?? (await freePort());
  let server: SMTPServer | null = null;
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());

  const smtp: TestSmtp = {
    port,
    get running() {
      return server !== null;
    },
    received: [],
    attempts: 0,
    connections: 0,
    secureSessions: [],
    behaviour: options.behaviour ?? {},
    async start() {
      if (server) return;
      const tls = options.tls;
      const instance = new SMTPServer({
        authOptional: true,
        disabledCommands: tls?.mode === 'starttls' ? ['AUTH'] : ['STARTTLS', 'AUTH'],
        ...(tls ? { key: tls.key, cert: tls.cert, secure: tls.mode === 'implicit' } : {}),
        logger: false,
        onConnect(_session, callback) {
          smtp.connections += 1;
          const delay = smtp.behaviour.greetingDelayMs ?? 0;
          if (delay > 0) setTimeout(() => callback(), delay);
          else callback();
        },
        onData(stream, session, callback) {
          smtp.attempts += 1;
          smtp.secureSessions.push(Boolean(session.secure));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const answer = async () => {
              const reject = smtp.behaviour.reject;
              if (reject) {
                callback(Object.assign(new Error(reject.message), { responseCode: reject.code }));
                return;
              }
              smtp.received.push(await simpleParser(Buffer.concat(chunks)));
              callback();
              notify();
            };
            const delay = smtp.behaviour.dataDelayMs ?? 0;
            if (delay > 0) setTimeout(() => void answer(), delay);
            else void answer();
          });
        },
      });
      instance.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        instance.server.once('error', reject);
        instance.listen(port, '127.0.0.1', () => resolve());
      });
      server = instance;
    },
    async stop() {
      const instance = server;
      server = null;
      if (instance) await new Promise<void>((resolve) => instance.close(() => resolve()));
    },
    waitForMessages(count) {
      return new Promise((resolve) => {
        const check = () => {
          if (smtp.received.length >= count) resolve(smtp.received);
          else waiters.push(check);
        };
        check();
      });
    },
  };
  if (options.start ?? true) await smtp.start();
  return smtp;
}

/** A certificate for the test server, made in the test: self-signed, or signed by a private CA made alongside. */
export interface TestCertificates {
  /** The server's key and certificate (PEM). */
  key: string;
  cert: string;
  /** The private CA's certificate (PEM), when the server's was signed by one. */
  caCert: string | null;
}

/**
 * Certificates made with `selfsigned`: for `127.0.0.1` and `localhost` (or only `altName` when given,
 * to make one for another name), valid from an hour ago for `days` (negative: expired).
 */
export async function testCertificates(options: { signedBy?: 'self' | 'private-ca'; days?: number; altName?: string } = {}): Promise<TestCertificates> {
  const now = Date.now();
  const days = options.days ?? 30;
  const window = { notBeforeDate: new Date(Math.min(now, now + days * 86_400_000) - 3_600_000), notAfterDate: new Date(now + days * 86_400_000) };
  const altNames = options.altName ? [{ type: 2 as const, value: options.altName }] : [{ type: 2 as const, value: 'localhost' }, { type: 7 as const, ip: '127.0.0.1' }];
  const serverExtensions = [
    { name: 'basicConstraints' as const, cA: false },
    { name: 'keyUsage' as const, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage' as const, serverAuth: true },
    { name: 'subjectAltName' as const, altNames },
  ];
  const subject = [{ name: 'commonName', value: options.altName ?? 'mail.shop.internal' }, { name: 'organizationName', value: 'Test Shop' }];
  if (options.signedBy !== 'private-ca') {
    const pems = await generate(subject, { keySize: 2048, algorithm: 'sha256', ...window, extensions: serverExtensions });
    return { key: pems.private, cert: pems.cert, caCert: null };
  }
  const ca = await generate([{ name: 'commonName', value: 'Test Shop Private CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + 365 * 86_400_000),
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  const pems = await generate(subject, { keySize: 2048, algorithm: 'sha256', ...window, extensions: serverExtensions, ca: { key: ca.private, cert: ca.cert } });
  return { key: pems.private, cert: pems.cert, caCert: ca.cert };
}
