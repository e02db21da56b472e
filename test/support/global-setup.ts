// Global setup of the `integration` project: provisions and starts the shared peers once, provides their info to
// the test files (see peers.ts) and tears them down after the run, whether tests passed or not.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { reapStalePeers, startIntegrationPeers } from './peers.ts';

const provisionScript = fileURLToPath(new URL('../../scripts/provision.mjs', import.meta.url));

/** Fast when everything is installed; otherwise installs (as root) or fails with the command that fixes it. */
function provision(): void {
  const r = spawnSync(process.execPath, [provisionScript], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`peer provisioning failed (exit ${r.status}):\n${r.stderr}${r.stdout}`);
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  provision();
  await reapStalePeers();
  const peers = await startIntegrationPeers();
  // If the runner exits without teardown (crash), at least the servers go down with it.
  const onExit = (): void => peers.killSync();
  process.once('exit', onExit);
  provide('dovecot', peers.dovecot.info);
  provide('postgres', peers.postgres.info);
  return async () => {
    process.off('exit', onExit);
    await peers.close();
  };
}
