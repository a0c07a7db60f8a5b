#!/usr/bin/env node
// `npm test`: typecheck, lint, unit + integration (Vitest), end to end (Playwright), then one
// closing line `N passed, N failed, N skipped` counting every test (typecheck and lint count as one each).
import { spawn } from 'node:child_process';
import { readFile, rm, mkdir } from 'node:fs/promises';

const results = { passed: 0, failed: 0, skipped: 0 };
const reportDir = '.tmp/test-reports';
await rm(reportDir, { recursive: true, force: true });
await mkdir(reportDir, { recursive: true });

function run(title, command, args, env = {}) {
  console.log(`\n=== ${title}: ${command} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('close', (code, signal) => resolve(code === 0 && !signal));
  });
}

async function readJson(path) {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
}

// Typecheck and lint are checks of the whole tree: each counts as one test.
for (const [title, args] of [
  ['typecheck', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', ['eslint', '.', '--max-warnings=0']],
]) {
  if (await run(title, 'npx', args)) results.passed += 1;
  else results.failed += 1;
}

const vitestReport = `${reportDir}/vitest.json`;
const vitestOk = await run('unit and integration', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]);
const vitest = await readJson(vitestReport);
if (vitest) {
  results.passed += vitest.numPassedTests ?? 0;
  results.failed += vitest.numFailedTests ?? 0;
  results.skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
  // A suite that failed to load has no tests to count: count it as a failure.
  if (!vitestOk && (vitest.numFailedTests ?? 0) === 0) results.failed += 1;
} else {
  results.failed += 1;
}

const buildOk = await run('build', 'npx', ['electron-vite', 'build']);
if (!buildOk) results.failed += 1;
else results.passed += 1;

const playwrightReport = `${reportDir}/playwright.json`;
const e2eOk = await run('end to end', 'npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport });
const playwright = await readJson(playwrightReport);
if (playwright?.stats) {
  results.passed += (playwright.stats.expected ?? 0) + (playwright.stats.flaky ?? 0);
  results.failed += playwright.stats.unexpected ?? 0;
  results.skipped += playwright.stats.skipped ?? 0;
  if (!e2eOk && (playwright.stats.unexpected ?? 0) === 0) results.failed += 1;
} else {
  results.failed += 1;
}

console.log(`\n${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
process.exit(results.failed === 0 ? 0 : 1);
