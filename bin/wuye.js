#!/usr/bin/env node
// Entry point for the `wuye` command: runs the TypeScript sources through tsx, so a fresh clone
// needs no build step after `npm install`.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli.ts');
await main(process.argv);
