/** Is a loopback port free? Asked before anything starts, so a busy `--port` is one clear line. */
import { createServer } from 'node:net';
import { mainText } from './core/i18n';
import { StartupError } from './services';

/** A StartupError that says which port is taken (the message is the English line; see startup-text.ts). */
export class PortInUse extends StartupError {
  constructor(readonly port: number) {
    super('port_in_use', mainText('en', 'startup.port_in_use', { port }));
  }
}

/** Resolves when `port` on `host` can be bound (0: any port will do); rejects with PortInUse when it cannot. */
export async function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUse(port) : error));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
