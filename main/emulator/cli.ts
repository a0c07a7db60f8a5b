/**
 * Standalone emulator: `npm run emulator -- --port 12111 [--host 127.0.0.1] [--state ./emulator-state.json]`
 * Prints one line saying where it listens, then runs until SIGINT/SIGTERM.
 */
import { EMULATOR_API_KEY, startEmulator } from './index.js';

function usage(msg?: string): never {
  if (msg) process.stderr.write(`${msg}\n`);
  process.stderr.write('usage: npm run emulator -- [--port N] [--host 127.0.0.1] [--state state.json] [--verbose]\n');
  process.exit(2);
}

const args = process.argv.slice(2);
let port = 0;
let host = '127.0.0.1';
let statePath: string | undefined;
let verbose = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
  const value = () => inline ?? args[++i] ?? usage(`missing value for ${flag}`);
  if (flag === '--port' || flag === '-p') {
    port = Number(value());
    if (!Number.isInteger(port) || port < 0 || port > 65535) usage('invalid --port');
  } else if (flag === '--host') host = value();
  else if (flag === '--state') statePath = value();
  else if (flag === '--verbose' || flag === '-v') verbose = true;
  else if (flag === '--help' || flag === '-h') usage();
  else usage(`unknown argument: ${a}`);
}

const emulator = await startEmulator({
  port,
  host,
  statePath,
  log: (line) => {
    if (verbose || !line.startsWith('Stripe emulator listening')) process.stderr.write(`${line}\n`);
  },
});
process.stdout.write(`Stripe emulator listening on ${emulator.origin} (API key: ${EMULATOR_API_KEY})\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emulator.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
