/**
 * A real SMTP server for tests (`smtp-server`), parsing what it receives with `mailparser`. It can be
 * down (its port closed), refuse (a 4xx or 5xx answer to the message), or be slow (a late greeting,
 * a late answer to the message), and can be stopped and started again on the same port.
 */
import { createServer } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
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

export async function createTestSmtp(options: { port?: number; start?: boolean; behaviour?: SmtpBehaviour } = {}): Promise<TestSmtp> {
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
    behaviour: options.behaviour ?? {},
    async start() {
      if (server) return;
      const instance = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onConnect(_session, callback) {
          smtp.connections += 1;
          const delay = smtp.behaviour.greetingDelayMs ?? 0;
          if (delay > 0) setTimeout(() => callback(), delay);
          else callback();
        },
        onData(stream, _session, callback) {
          smtp.attempts += 1;
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
