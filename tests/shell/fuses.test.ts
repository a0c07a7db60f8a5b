/**
 * Electron fuses: the release build (electron-builder.yml) has every fuse the issue lists, and the
 * test build (electron-builder.e2e.yml) differs only in the inspect fuse Playwright's `_electron`
 * needs, with its own app id, output folder and the test-build marker. Both are loaded and validated
 * by electron-builder itself (its config loader resolves `extends` and checks the schema).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_BUILD_MARKER } from '../../main/test-hooks';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
type BuilderConfig = { appId?: string; directories?: { output?: string }; electronFuses?: Record<string, boolean>; extraMetadata?: Record<string, unknown> };
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

async function load(file: string): Promise<BuilderConfig> {
  const config = await getConfig(ROOT, join(ROOT, file), null);
  await validateConfiguration(config, new DebugLogger(false)); // throws on anything electron-builder would refuse
  return config;
}

const RELEASE_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
};

describe('electron fuses', () => {
  it('the release build sets every hardening fuse, and is not a test build', async () => {
    const release = await load('electron-builder.yml');
    expect(release.electronFuses).toEqual(RELEASE_FUSES);
    expect(release.extraMetadata?.[TEST_BUILD_MARKER]).toBeUndefined();
    expect(release.directories?.output).toBe('dist');
  });

  it('the test build differs only by the inspect fuse Playwright needs, and is kept apart', async () => {
    const release = await load('electron-builder.yml');
    const e2e = await load('electron-builder.e2e.yml');
    expect(e2e.electronFuses).toEqual({ ...RELEASE_FUSES, enableNodeCliInspectArguments: true });
    expect(e2e.extraMetadata?.[TEST_BUILD_MARKER]).toBe(true);
    expect(e2e.appId).not.toBe(release.appId);
    expect(e2e.directories?.output).toBe('dist-e2e');
  });
});
