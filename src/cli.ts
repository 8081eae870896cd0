#!/usr/bin/env node
/**
 * The `layerwise` command: dispatches to one module per subcommand in src/cli/. Modules are loaded only
 * when their subcommand runs, so `layerwise kernel install` does not load onnxruntime.
 */
interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  kernel: () => import('./cli/kernel'),
  layers: () => import('./cli/layers'),
  synth: () => import('./cli/synth'),
  report: () => import('./cli/report'),
  extract: () => import('./cli/extract'),
  score: () => import('./cli/score'),
  data: () => import('./cli/data'),
  analyze: () => import('./cli/analyze'),
  plan: () => import('./cli/plan'),
  merge: () => import('./cli/merge'),
};

function help(): string {
  return `layerwise: layer-wise analysis of speech models\n\nusage: layerwise <command> [options]\ncommands: ${Object.keys(commands).join(', ')}\nlayerwise <command> --help shows a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`unknown command '${name}'\n${help()}`);
    return 2;
  }
  const cmd = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`layerwise: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
