#!/usr/bin/env -S node --max-semi-space-size=16
// Entry point of the `pallet` command. Node 24 runs the TypeScript sources directly (type stripping).
// The flag caps V8's young generation, which it otherwise sizes from the machine's memory: under load it
// grew to 128 MiB of mostly empty space (docs/benchmarks.md, soak). `env -S` passes it on Linux and macOS.
import { enableCompileCache } from 'node:module';

// Compiled code of the sources is kept on disk (in the temp folder) across starts: about half of a start
// is reading and compiling modules, so the second start on a machine is markedly faster.
enableCompileCache();
const { main } = await import('../src/cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
