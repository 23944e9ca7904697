import { redactSecrets } from '../common/secrets.js';
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import { CascadeError, ConfigError, MissingApiKeyError } from '../errors/index.js';
import { processIo, type CliIo } from './io.js';
import { defaultMargin } from '../tune/objective.js';

// Each command's module (and the library under it) is loaded when the command runs, so `--help` and
// `--version` load only the option parser.

/** Exit codes: 0 done, 1 the run failed, 2 bad usage, cascade file or input. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/** Where answers come from and where calls go (see `SourceOptions`): the same flags on `ask` and `run`. */
function withSourceOptions(command: Command): Command {
  return command
    .option('--replay <fixtures>', 'answer every tier from recorded responses (no network)')
    .option('--replay-pace', 'with --replay: wait each recorded latency before answering, as the live call took')
    .option(
      '--on-miss <fail|live>',
      'with --replay: fail (default) or call the live provider for a request not recorded',
    )
    .option('--offline', "run cloud tiers on local models (the file's `offline:`); only loopback hosts are called")
    .option('--record <fixtures>', 'write every provider call (judges too) to this fixture file')
    .option('--no-cache', "ignore the cascade file's cache: every request goes to the tiers");
}

/** This package's version, from its package.json (two folders up from src/cli and dist/bundle, three from dist/src/cli). */
let version: string | undefined;
function packageVersion(): string {
  version ??= readPackageVersion();
  return version;
}

function readPackageVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'frugal-cascade' && manifest.version) return manifest.version;
    } catch {
      // Not there: try the next place.
    }
  }
  return 'unknown';
}

/** Run the `cascade` command line with `argv` (without node and script) and return its exit code. */
export async function runCli(argv: readonly string[], given: CliIo = processIo): Promise<number> {
  // Whatever a command prints passes the key masking (an answer or error that echoed a key).
  const io: CliIo = {
    ...given,
    stdout: (text) => given.stdout(redactSecrets(text)),
    stderr: (text) => given.stderr(redactSecrets(text)),
  };
  const program = new Command('cascade')
    .description('Send each request to the cheapest model first; escalate only when a quality gate fails.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    // Help names the options a command cannot run without (commander reports only the first one missing).
    .configureHelp({
      optionDescription(option) {
        const description = Help.prototype.optionDescription.call(this, option);
        return option.mandatory ? `${description} (required)` : description;
      },
    })
    .showHelpAfterError();
  let exitCode: number = exitCodes.ok;

  withSourceOptions(program.command('ask'))
    .description('answer one prompt through a cascade and print a short trace')
    .argument('<cascade>', 'cascade file (YAML)')
    .argument('<prompt>', 'the user message')
    .option('--system <text>', 'a system message to send first')
    .option('--json', 'print the whole result, trace included, as JSON')
    .action(async (file: string, prompt: string, options) => {
      const { askCommand } = await import('./ask-command.js');
      exitCode = await askCommand(file, prompt, options, io);
    });

  withSourceOptions(program.command('run'))
    .description('run every item of a JSON Lines file through a cascade')
    .argument('<cascade>', 'cascade file (YAML)')
    .requiredOption(
      '--input <items>',
      'items, one JSON object per line with `id` and `input.messages` or `prompt` (- for stdin)',
    )
    .requiredOption('--output <results>', 'where to write one result per line (- for stdout)')
    .option(
      '--explore <rate>',
      'on this share of items (0-1) also run the remaining tiers, and write them as fixtures for tune',
    )
    .option('--explore-out <fixtures>', 'where --explore writes (default: beside --output, .explored.jsonl)')
    .option('--concurrency <n>', 'items in flight at once (default 8)')
    .option('--budget-usd <x>', 'never spend more than this on the whole run')
    .option('--strict', 'check every input line first; run nothing if one is bad')
    .option('--overwrite', 'start the output afresh instead of resuming it')
    .option('--retry-failed', 'redo items whose written result is an error or a budget stop')
    .option('--redo-changed', 'redo items whose input changed since their result was written')
    .option('--downshift', 'with --budget-usd: reach for fewer tiers as the budget runs down faster than the items')
    .option('--no-downshift', "do not downshift, whatever the cascade file's budget.downshift says")
    .option(
      '--deadline-ms <n>',
      "time each item may take (an item's own deadlineMs wins); tiers too slow for what is left are skipped",
    )
    .option('--max-line-bytes <n>', 'refuse input lines longer than this', String(1024 * 1024))
    .option(
      '--queue <redis-url>',
      'enqueue the items for `cascade worker` processes (BullMQ on Redis) and collect their results',
    )
    .option('--run-id <name>', 'with --queue: the run in Redis (default: from the output file)')
    .option('--resume', 'with --queue: pick up a run whose collector stopped')
    .action(async (file: string, options) => {
      const { runCommand } = await import('./run-command.js');
      exitCode = await runCommand(file, options, io);
    });

  withSourceOptions(program.command('worker'))
    .description('run the queued items of a cascade (from `cascade run --queue`) until stopped; start any number')
    .argument('<cascade>', 'cascade file (YAML), the same file the run was started with')
    .requiredOption('--queue <redis-url>', 'the Redis the run is queued on, e.g. redis://127.0.0.1:6379')
    .option('--concurrency <n>', 'items in flight at once in this worker (default 8)')
    .option('--lock-ms <n>', "how soon a killed worker's jobs go back to the queue (default 30000)")
    .action(async (file: string, options) => {
      const { workerCommand } = await import('./worker-command.js');
      exitCode = await workerCommand(file, options, io);
    });

  const queue = program.command('queue').description('look at or steer a queued run');
  for (const [action, description] of [
    ['status', 'items done, jobs waiting and running, workers, budget spent'],
    ['pause', 'workers take none of its jobs until resumed'],
    ['resume', 'workers take its jobs again'],
    ['cancel', 'workers drop its jobs; those not yet taken are removed'],
  ] as const) {
    queue
      .command(action)
      .description(description)
      .argument('<run>', 'the run id `cascade run --queue` printed')
      .requiredOption('--queue <redis-url>', 'the Redis the run is queued on')
      .option('--json', 'print the status as JSON')
      .action(async (runId: string, options) => {
        const { queueCommand } = await import('./queue-command.js');
        exitCode = await queueCommand(action, runId, options, io);
      });
  }

  program
    .command('eval')
    .description('measure a cascade on a labelled fixture, every tier answered from its recordings')
    .argument('<cascade>', 'cascade file (YAML)')
    .requiredOption('--fixtures <file>', 'fixture file (JSON Lines, see docs/fixtures.md)')
    .option('--json', 'print one JSON object')
    .option(
      '--compare <mode>',
      'how text is compared with expected when there is no score: auto, exact, letter, number, text, json',
    )
    .option('--scorer <module>', 'a module whose default export scores (text, expected, item) in [0,1]')
    .option(
      '--reference <model>',
      'score every answer by its agreement with this model (unlabelled items: the dearest by default)',
    )
    .action(async (file: string, options) => {
      const { evalCommand } = await import('./eval-command.js');
      exitCode = await evalCommand(file, options, io);
    });

  program
    .command('tune')
    .description('choose models, order, gates and thresholds on a labelled fixture, and write the cascade')
    .requiredOption('--fixtures <file>', 'training fixture (JSON Lines)')
    .requiredOption('--out <cascade.yaml>', 'where to write the tuned cascade')
    .option('--report <report.html>', 'also write a self-contained HTML report')
    .option('--json', 'print the result as JSON')
    .option('--target-accuracy <x>', 'lowest cost whose accuracy reaches x (0-1)')
    .option('--max-cost-per-item <usd>', 'highest accuracy at this cost per item or less')
    .option('--tradeoff <weight>', 'maximise accuracy - weight x cost / best model cost')
    .option('--guarantee', 'promise accuracy >= the best single model minus --tolerance with probability 1 - delta')
    .option('--delta <d>', 'with --guarantee: the allowed probability of missing the promise (default 0.05)')
    .option(
      '--tolerance <e>',
      'accuracy the cascade may give up against the best single model, as a share (0.01 = 1 point; default 0, at most 0.5)',
    )
    .option(
      '--margin <z>',
      `hold the paired lower bound, z standard errors (${defaultMargin} is a one-sided 95% bound) instead of the default estimate`,
    )
    .option(
      '--reference <model>',
      'with no labels: score every answer by its agreement with this model (default: the dearest)',
    )
    .option('--max-tiers <n>', 'at most this many tiers (default 4)')
    .option('--compare <mode>', 'how text is compared with expected when there is no score')
    .option('--scorer <module>', 'a module whose default export scores (text, expected, item) in [0,1]')
    .action(async (options) => {
      const { tuneCommand } = await import('./tune-command.js');
      exitCode = await tuneCommand(options, io);
    });

  withSourceOptions(program.command('serve'))
    .description('serve cascades as an OpenAI-compatible API (POST /v1/chat/completions, GET /v1/models)')
    .argument('<target>', 'a cascade file, or a folder of them (and its server.yaml with keys)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', '8787')
    .option('--keys <file>', 'a YAML file with `keys: [{ name, sha256 | env, dailyUsd }]`')
    .option(
      '--spend-store <file>',
      "where the keys' daily spend is kept, so it survives a restart (default: server-spend.sqlite beside the keys file)",
    )
    .action(async (target: string, options) => {
      const { serveCommand } = await import('./serve-command.js');
      exitCode = await serveCommand(target, options, io);
    });

  program
    .command('prices')
    .description('the price a tier of this model would be charged at, and where it comes from')
    .argument('<model>', 'a model name, e.g. claude-haiku-4-5 or gemini-2.5-flash')
    .option('--provider <provider>', 'openai, anthropic or ollama', 'openai')
    .action(async (model: string, options: { provider: string }) => {
      const { describePriceSource, findPriceWithSource } = await import('../pricing/price-table.js');
      const found = findPriceWithSource(options.provider, model);
      if (!found) {
        io.stdout(
          `${model}: no price known (not in @pydantic/genai-prices nor the built-in table); give the tier \`pricing: { inputPerMTok, outputPerMTok }\`\n`,
        );
        exitCode = 1;
        return;
      }
      io.stdout(
        `${model}: $${found.pricing.inputPerMTok} input, $${found.pricing.outputPerMTok} output per million tokens, from ${describePriceSource(found.source, found.since)}\n`,
      );
    });

  const cache = program.command('cache').description("inspect or empty a cascade's persistent response cache");
  cache
    .command('tune')
    .description("choose the semantic cache's threshold on labelled pairs, holding precision")
    .argument('<cascade>', 'the cascade file whose cache.semantic to tune')
    .requiredOption('--pairs <csv>', 'labelled pairs: a CSV with columns a, b, label (1: may share an answer)')
    .option('--precision <p>', 'the precision to hold', '0.99')
    .option('--delta <d>', 'the chance the held precision may be wrong', '0.05')
    .option('--write', "write the threshold into the file's cache.semantic.threshold")
    .action(async (file: string, options) => {
      const { cacheTuneCommand } = await import('./cache-tune-command.js');
      exitCode = await cacheTuneCommand(file, options, io);
    });
  for (const [action, description] of [
    ['stats', 'entries, vectors, hits and age per namespace'],
    ['clear', 'delete every entry, or those of --namespace'],
    ['export', 'print every entry as a JSON line (question, answer, tier, model, when)'],
  ] as const) {
    cache
      .command(action)
      .description(description)
      .argument('<target>', 'a cascade file (its cache.store) or a store folder')
      .option('--namespace <name>', 'only this namespace')
      .action(async (target: string, options) => {
        const { cacheCommand } = await import('./cache-command.js');
        exitCode = await cacheCommand(action, target, options, io);
      });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    if (error instanceof ConfigError || error instanceof MissingApiKeyError) {
      io.stderr(`${error.message}\n`);
      return exitCodes.usage;
    }
    io.stderr(`cascade: ${error instanceof CascadeError || error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failed;
  }
}
